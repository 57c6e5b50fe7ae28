"""One inbound text in, at most one reply out: keywords, opt-outs, rate limit, dialogue and hand-off.

The order matters. The MessageSid is claimed first, before any side effect; STOP is honoured before
anything else (even the rate limit); nothing at all is sent to an opted-out number; DELETE erases whatever
the rate limit says (shared/erasure.py); then the rate limit; then HELP; then the dialogue. `handle` returns
the reply text, or None for an empty <Response/> (opted out, Twilio already answered, or silence after the
rate-limit notice).

One message is one store transaction: the claim, every read and write of the turn and the reply stored
with the claim. Its records are read in one batch (StoredForNumber: one BatchGetItem on DynamoDB) and its
writes committed together (one TransactWriteItems; on SQLite one BEGIN IMMEDIATE ... COMMIT that holds the
write lock while reading, triage and the reply's template run, never a network call or a wait). Staff are
texted about a callback request only after the commit, and never from here (sms/notifications.py). DELETE is the
exception: it looks up the number's claims and callbacks through their indexes, so it runs call by call.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared import erasure, handover
from shared.callbacks import store_callback
from shared.config import Settings
from shared.content import Content
from shared.dialogue import Event, Message, Reply
from shared.identity import hashed_id
from shared.reader import read
from shared.records import ATTRIBUTES, CONVERSATIONS, OPTOUTS
from shared.render import sms_segments
from shared.stores import Record, Store, StoreUnavailable, VersionConflict
from shared.triage import assess
from sms import idempotency, optouts, state
from sms.inbound import Inbound, InputKind
from sms.keywords import Keyword, KeywordMatch
from sms.ratelimit import RateDecision, RateLimit
from sms.replies import render_reply, render_turn, sms_locale

logger = logging.getLogger(__name__)

KEYWORD_EVENTS = {Keyword.NEW: Event.NEW, Keyword.TIPS: Event.TIPS, Keyword.CALL: Event.CALL}
# A turn whose writes met another message's from the same number (DynamoDB finds out at commit, with nothing
# written) runs again on what that message left; the pauses (at most ~0.3 s in all) stay far inside Twilio's 15 s.
TURN_ATTEMPTS = 4
TURN_RETRY_PAUSE_S = 0.02


@dataclass(frozen=True)
class StoredForNumber:
    """What a message may need of its number's records, read in one batch at the start of its turn."""

    opt_out: Record | None
    conversation: Record | None
    history: Record | None
    claim: Record | None

    @classmethod
    def read(cls, store: Store, phone_hash: str, sid: str | None) -> StoredForNumber:
        """Read the opt-out, the conversation, the episode history and the MessageSid's claim together."""
        items = [(OPTOUTS, phone_hash), (CONVERSATIONS, phone_hash), (ATTRIBUTES, phone_hash)]
        if sid:
            items.append((CONVERSATIONS, idempotency.claim_key(sid)))
        opt_out, conversation, history, *claim = store.get_many(items)
        return cls(opt_out, conversation, history, claim[0] if claim else None)


@dataclass
class Outcome:
    """What one message led to: the reply (None: no reply) and names for the log."""

    reply: str | None
    outcome: str
    keyword: str | None = None
    step: str | None = None
    rules: tuple[str, ...] = ()


@dataclass
class _Progress:
    """How far a message got, so a store failure can be cleaned up.

    A transactional store (SQLite, memory) undoes every write of a failed turn, its MessageSid claim included,
    so Twilio's redelivery handles the message afresh. DynamoDB keeps each write: everything before the
    dialogue step is safe to redo (opt-outs, erasure, a rate count), but once the conversation has advanced
    a retry must not advance it again.
    """

    atomic: bool = False  # the turn's writes are undone if it fails
    claim: idempotency.Claim | None = None
    claimed_before_turn: bool = False  # the claim was committed on its own, before the turn's transaction
    changed_state: bool = False
    # The id of a callback request this turn stored, whose staff text is owed once the turn is committed.
    notify: str | None = None

    def claim_survives_failure(self) -> bool:
        """True when a failed turn still leaves its claim stored, to be finished or released."""
        return self.claim is not None and (self.claimed_before_turn or not self.atomic)

    def start_again(self) -> None:
        """Forget what an attempt undone by its transaction did, keeping a claim taken before it."""
        if not self.claimed_before_turn:
            self.claim = None
        self.changed_state = False
        self.notify = None


@dataclass
class SmsLine:
    """The SMS line's logic, bound to its settings, store and content (built once by create_app)."""

    settings: Settings
    store: Store
    content: Content
    clock: Callable[[], float] = time.time
    # Told the id of each callback request stored, after its turn commits (the local server wakes its notifier);
    # deployed it is None: the callbacks table's stream starts the staff text.
    on_callback_stored: Callable[[str], None] | None = None
    locale: str = field(init=False)

    def __post_init__(self) -> None:
        self.locale = sms_locale(self.content)

    def handle(self, inbound: Inbound) -> str | None:
        """Answer one inbound message; store failures give a safe reply, never an error."""
        started = time.monotonic()
        phone_hash = hashed_id("phone", inbound.sender, self.settings.hash_salt)
        progress = _Progress()
        # Opt-outs kept in the journal during an outage go into the store first, so this message already sees them.
        optouts.replay_journal(self.store, self.settings)
        try:
            result = self._turn(inbound, phone_hash, progress)
            if result is None and inbound.sid:
                # Another attempt holds this MessageSid. Wait for its reply here, outside the turn's transaction:
                # waiting inside would hold the store's lock that attempt needs to finish.
                taken = idempotency.claim_message(self.store, inbound.sid, self.clock(), phone_hash)
                if isinstance(taken, idempotency.Replay):
                    result = taken
                else:
                    progress.claim, progress.claimed_before_turn = taken, True
                    result = self._turn(inbound, phone_hash, progress)
        except (StoreUnavailable, VersionConflict) as exc:
            logger.warning(
                "sms store unavailable, safe reply sent",
                extra={"phone_hash": phone_hash, "error_type": type(exc).__name__},
            )
            reply = self._reply_in_outage(inbound, phone_hash)
            if progress.claim is not None and progress.claim_survives_failure():
                if progress.changed_state and not progress.atomic:
                    idempotency.finish_message(self.store, progress.claim, reply, self.clock(), phone_hash)
                else:
                    idempotency.release_message(self.store, progress.claim, self.clock())
            return reply
        if not isinstance(result, Outcome):
            return self._replay(result or idempotency.Replay(None, finished=False), inbound, phone_hash)
        if progress.notify is not None and self.on_callback_stored is not None:
            # After the commit, so the request is stored for good before anyone texts staff about it. The text
            # itself is sent elsewhere (sms/notifications.py): deployed, the table's stream starts it.
            self.on_callback_stored(progress.notify)
        logger.info(
            "sms handled",
            extra={
                "phone_hash": phone_hash,
                "outcome": result.outcome,
                "keyword": result.keyword,
                "step": result.step,
                "rules": ",".join(result.rules),
                "content_version": self.content.version,
                "replied": result.reply is not None,
                "segments": sms_segments(result.reply) if result.reply else 0,
                "ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return result.reply

    def _turn(self, inbound: Inbound, phone_hash: str, progress: _Progress) -> Outcome | idempotency.Replay | None:
        """The message's turn, run again (on fresh reads) when its transaction met another writer at commit."""
        for attempt in range(TURN_ATTEMPTS):
            try:
                return self._turn_once(inbound, phone_hash, progress)
            except VersionConflict:
                if not progress.atomic or attempt == TURN_ATTEMPTS - 1:
                    raise
                progress.start_again()
                logger.info("sms turn met a concurrent write; running it again", extra={"phone_hash": phone_hash})
                # Jitter spreads out the racing messages; it is not security, so the plain PRNG is right here.
                time.sleep(random.uniform(0, TURN_RETRY_PAUSE_S * 2**attempt))  # noqa: S311
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _turn_once(
        self, inbound: Inbound, phone_hash: str, progress: _Progress
    ) -> Outcome | idempotency.Replay | None:
        """Claim the MessageSid (unless already claimed), process the message and store the reply with the claim,
        in one store transaction. None: another attempt holds the claim."""
        match = inbound.keyword()
        # DELETE looks up this number's claims and callbacks through indexes (on SQLite, by reading the collection):
        # that must not hold SQLite's write lock, so DELETE runs call by call (the claim's lease covers it).
        erasing = match is not None and match.keyword == Keyword.DELETE
        with nullcontext(False) if erasing else self.store.transaction() as atomic:
            progress.atomic = atomic
            stored = StoredForNumber.read(self.store, phone_hash, inbound.sid)
            if inbound.sid and progress.claim is None:
                taken = idempotency.try_claim(
                    self.store, inbound.sid, self.clock(), phone_hash, atomic=atomic, already_read=stored.claim
                )
                if not isinstance(taken, idempotency.Claim):
                    return taken
                progress.claim = taken
            outcome = self._process(inbound, phone_hash, progress, match, stored)
            if progress.claim is not None:
                idempotency.finish_message(self.store, progress.claim, outcome.reply, self.clock(), phone_hash)
        return outcome

    def safe_reply(self, inbound: Inbound) -> str:
        """A reply that needs no stored state: the emergency reply, or the relief step with emergency advice."""
        assessment = assess(read(inbound.text, self.content.language(self.locale).lexicon), self.content)
        if assessment.urgency == "emergency":
            return render_reply(Reply.EMERGENCY.value, self.content, self.locale, assessment=assessment)
        return render_reply("unavailable", self.content, self.locale, assessment=assessment)

    def _replay(self, replay: idempotency.Replay, inbound: Inbound, phone_hash: str) -> str | None:
        logger.info("sms redelivery answered from its claim", extra={"phone_hash": phone_hash, "done": replay.finished})
        if replay.finished:
            return replay.reply
        # The first attempt is still running or died: never leave the person with nothing.
        return self.reply_without_state(inbound)

    def _reply_in_outage(self, inbound: Inbound, phone_hash: str) -> str | None:
        """The reply when the store failed: an opt-out is journalled (sms/optouts.py) and confirmed as usual, DELETE
        is asked for again (nothing could be erased), anything else gets the safe reply."""
        match = inbound.keyword()
        if match is not None and match.keyword == Keyword.STOP:
            try:
                optouts.journal_opt_out(self.settings, phone_hash, match.word, self.clock())
            except OSError as exc:
                # Twilio's own block still holds for an exact STOP it answered; ours could not be kept anywhere.
                logger.error("opt-out not recorded: store and journal unavailable",
                             extra={"phone_hash": phone_hash, "error_type": type(exc).__name__})
                return None if match.handled_by_twilio else self._render("stop_failed")
            return None if match.handled_by_twilio else self._render("opted_out")
        if match is not None and match.keyword == Keyword.DELETE:
            return self._render("delete_failed")
        return self.reply_without_state(inbound)

    def reply_without_state(self, inbound: Inbound) -> str | None:
        """The safe reply, except to an opt-out: Twilio has answered that, and we may not text them."""
        match = inbound.keyword()
        if match is not None and (match.keyword == Keyword.STOP or match.handled_by_twilio):
            return None
        return self.safe_reply(inbound)

    def _render(self, name: str, **context: object) -> str:
        return render_reply(name, self.content, self.locale, **context)

    def _process(
        self,
        inbound: Inbound,
        phone_hash: str,
        progress: _Progress,
        match: KeywordMatch | None,
        stored: StoredForNumber,
    ) -> Outcome:
        now = self.clock()
        keyword = match.keyword if match else None
        word = match.word if match else None

        if match is not None and keyword == Keyword.STOP:
            optouts.record_opt_out(self.store, phone_hash, match.word, now, already_read=stored.opt_out)
            # Twilio's opt-out handling has already confirmed an exact keyword: no second reply.
            reply = None if match.handled_by_twilio else self._render("opted_out")
            return Outcome(reply, "opted_out", word)

        limit = RateLimit(self.settings.sms_rate_limit, self.settings.sms_rate_window_seconds, now)
        if stored.opt_out is not None:
            if keyword == Keyword.START:
                optouts.record_opt_in(self.store, phone_hash)
                # Twilio confirmed an exact or Advanced Opt-Out keyword already: no second reply.
                return Outcome(None if match.handled_by_twilio else self._render("opted_in"), "opted_in", word)
            if keyword == Keyword.DELETE:
                state.forget_conversation(self.store, phone_hash, limit)
                self._erase(phone_hash, now)
                return Outcome(None, "erased_while_opted_out", word)
            return Outcome(None, "suppressed_opted_out", word)

        if keyword == Keyword.START and inbound.opt_out_type:
            # Advanced Opt-Out matched an opt-in keyword and answered it; the number was not opted out anyway.
            return Outcome(None, "opted_in_already", word)

        if keyword == Keyword.DELETE:
            # Erasure is never rate-limited: whoever asks for it gets it and is told so. DELETE is still counted
            # (only the count stays), so it cannot be used to reset the limit either.
            state.count_and_forget(self.store, phone_hash, limit)
            erased = self._erase(phone_hash, now)
            return Outcome(self._render("deleted", erasure=erased), "erased", word)

        # Every message from here on is counted in the same write as what it does to the conversation (one
        # record), and only a message within the limit changes the conversation.
        if keyword == Keyword.HELP or inbound.kind != InputKind.TEXT:
            rate = state.count_message(self.store, phone_hash, limit, already_read=stored.conversation)
        else:
            return self._converse(inbound, phone_hash, progress, keyword, word, limit, stored)
        if rate != RateDecision.ALLOW:
            return self._rate_limited(rate, word)
        if keyword == Keyword.HELP:
            # Twilio answers an exact HELP itself (the clinic's Advanced Opt-Out HELP text, docs/deploying.md).
            return Outcome(None if match.handled_by_twilio else self._render("help"), "help", word)
        if inbound.kind == InputKind.MEDIA_ONLY:
            return Outcome(self._render("media"), "media_only")
        conversation = state.load_conversation(self.store, phone_hash, now, self.content)
        question = self.content.question(conversation.pending) if conversation.pending else None
        reply = self._render("unreadable", question=question, other_script=inbound.kind == InputKind.OTHER_SCRIPT)
        return Outcome(reply, inbound.kind.value, step=conversation.step.value)

    def _rate_limited(self, rate: RateDecision, word: str | None) -> Outcome:
        if rate == RateDecision.NOTICE:
            return Outcome(self._render("rate_limited"), "rate_limited", word)
        return Outcome(None, "rate_limited_silent", word)

    def _converse(
        self,
        inbound: Inbound,
        phone_hash: str,
        progress: _Progress,
        keyword: Keyword | None,
        word: str | None,
        limit: RateLimit,
        stored: StoredForNumber,
    ) -> Outcome:
        """A message for the dialogue: counted and, within the limit, applied, in one write of the record."""
        now = limit.now
        # START, UNSTOP and YES from someone who never opted out are ordinary text ("yes" answers a question).
        event = KEYWORD_EVENTS.get(keyword, Event.DESCRIBE) if keyword else Event.DESCRIBE
        message = Message(text=inbound.text) if event == Event.DESCRIBE else Message()
        today = datetime.fromtimestamp(now, UTC).date()
        history = handover.EpisodeHistory(self.store, phone_hash, already_read=stored.history)
        step = state.count_and_advance(
            self.store,
            phone_hash,
            event,
            message,
            self.content,
            limit,
            locale=self.locale,
            ttl_seconds=self.settings.conversation_ttl_seconds,
            message_sid=inbound.sid,
            # Counting this episode too, over both channels when linked: the recurrence rule fires on the third.
            recent_episodes=lambda: handover.count_recent(history.joined(), today) + 1,
            already_read=stored.conversation,
        )
        turn = step.turn
        if turn is None:
            return self._rate_limited(step.rate, word)
        progress.changed_state = True
        if step.new_episode:
            history.record(
                today, turn.assessment.body_part, turn.assessment.verdict, now=now,
                retention_seconds=self.content.health_data.retention_seconds,
            )
        outcome = Outcome(
            None,
            turn.reply.value,
            word if event != Event.DESCRIBE else None,
            step=turn.conversation.step.value,
            rules=turn.assessment.fired_rules + ((turn.assessment.red_flag,) if turn.assessment.red_flag else ()),
        )
        if turn.reply == Reply.CALLBACK_CONFIRMED:
            # Stored first; only then is the person told it is saved, and staff are texted after the commit.
            callback = store_callback(
                self.store,
                request_id=inbound.sid,
                phone=inbound.sender,
                phone_hash=phone_hash,
                window=turn.conversation.callback_window or "",
                assessment=turn.assessment,
                words=self.content.language(self.locale).words,
                now=now,
                expires_at=self.content.health_data.expires_at(now),
                channel="sms",
                content_version=self.content.version,
            )
            outcome.reply = render_turn(turn, self.content, self.locale)
            if not callback.get("notified"):
                progress.notify = callback["id"]
            return outcome
        outcome.reply = render_turn(turn, self.content, self.locale)
        return outcome

    def _erase(self, phone_hash: str, now: float) -> erasure.Erasure:
        """DELETE, once the conversation is down to its count: everything else kept about the number, on every
        channel (shared/erasure.py). The opt-out record stays: it is what keeps us from texting them."""
        return erasure.erase_number(self.store, self.settings, phone_hash, now=now)
