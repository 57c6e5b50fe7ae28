"""One inbound text as the webhook received it, and what kind of input it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sms.keywords import KeywordMatch, match_keyword

# Twilio's hard maximum for one (concatenated) message; anything longer did not come from a phone.
MAX_BODY_CHARS = 1600


class InputKind(StrEnum):
    """How the webhook should treat the body."""

    TEXT = "text"
    MEDIA_ONLY = "media_only"  # an MMS with pictures or files and no words
    UNREADABLE = "unreadable"  # empty, or only emoji and punctuation
    OTHER_SCRIPT = "other_script"  # letters, but none in the Latin alphabet the reader knows


@dataclass(frozen=True)
class Inbound:
    """The fields of Twilio's inbound-message webhook that the line uses."""

    sender: str
    body: str
    sid: str | None
    num_media: int
    # Advanced Opt-Out: STOP, START or HELP when Twilio matched (and answered) one of its keywords, else None.
    opt_out_type: str | None = None

    @property
    def text(self) -> str:
        """The body without surrounding whitespace."""
        return self.body.strip()

    @property
    def kind(self) -> InputKind:
        """How the webhook should treat the body."""
        return classify(self.text, self.num_media)

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> Inbound | None:
        """Read Twilio's form fields; None when there is no sender to answer."""
        sender = (form.get("From") or "").strip()
        if not sender:
            return None
        sid = (form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid") or "").strip() or None
        try:
            num_media = max(0, int(form.get("NumMedia") or 0))
        except ValueError:
            num_media = 0
        body = (form.get("Body") or "")[:MAX_BODY_CHARS]
        opt_out_type = (form.get("OptOutType") or "").strip().upper() or None
        return cls(sender=sender, body=body, sid=sid, num_media=num_media, opt_out_type=opt_out_type)

    def keyword(self) -> KeywordMatch | None:
        """The keyword this message is, by Twilio's OptOutType first, else by its text (None: ordinary text)."""
        if self.opt_out_type:
            return match_keyword(self.body, self.opt_out_type)
        return match_keyword(self.body) if self.kind == InputKind.TEXT else None


def classify(text: str, num_media: int) -> InputKind:
    """Classify a stripped body so odd input gets a helpful reply instead of a confused one."""
    letters = [ch for ch in text if ch.isalnum()]
    if not letters:
        return InputKind.MEDIA_ONLY if num_media > 0 else InputKind.UNREADABLE
    if not any(ch.isascii() for ch in letters):
        return InputKind.OTHER_SCRIPT
    return InputKind.TEXT
