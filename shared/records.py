"""What the state store holds: its four collections and the layout of every document kept in them.

This is the one place a newcomer reads to know what is stored, under which key, and for how long. The stores
(shared/stores/) keep any JSON object; the modules named beside each layout are the only ones that write it.
Keys are salted hashes (shared/identity.py), never a phone number or an Alexa user id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

# Per phone hash: the SMS conversation with its rate count (sms/state.py); per "sid:<MessageSid>": that
# message's claim and reply (sms/idempotency.py). Both expire.
CONVERSATIONS = "conversations"
# Per "alexa_<hash>": the Alexa skill's persistent attributes (skill/persistence.py, skill/history.py); per
# "phone_<hash>": the SMS line's episode history (shared/handover.py). Kept until "forget me" or DELETE, and never
# longer than the clinic's retention period after it was last written (clinic.yaml retention_days). The skill keeps
# a document only while the clinic's health-data switch is on (shared/health_data.py).
ATTRIBUTES = "attributes"
# Per phone hash: the number has replied STOP (sms/optouts.py). Never expires.
OPTOUTS = "optouts"
# Per callback id: a request for the clinic to call back, by text or by voice (shared/callbacks.py,
# sms/notifications.py, staff/inbox.py). Expires after the clinic's retention period (clinic.yaml retention_days).
CALLBACKS = "callbacks"
COLLECTIONS = (CONVERSATIONS, ATTRIBUTES, OPTOUTS, CALLBACKS)



@dataclass(frozen=True)
class Index:
    """A secondary index over one collection: the records whose data holds `partition` (a string), found by its
    value and ordered by `sort` when given. A record without the partition field is not in the index, so an index
    can hold just the records that need finding (a "sparse" index: the notifications still owed).

    Deployed, each is a DynamoDB global secondary index (serverless.yml declares the same names and keys; a test
    compares them) whose reads are eventually consistent: a record written a moment ago can be missing for a
    fraction of a second. Locally the stores filter the collection.
    """

    name: str
    collection: str
    partition: str
    sort: str | None = None
    sort_kind: Literal["S", "N"] = "S"  # the sort field's type: text (ISO times sort as text) or number


# Every stored document that can be found by something other than its key is found through one of these, so no
# request reads a whole table (a Scan costs the whole table's size on every call, and grows with it).
# DELETE and the staff inbox's per-number view: a number's callback requests.
CALLBACKS_BY_PHONE = Index("callbacks_by_phone", CALLBACKS, "phone_hash", "created_at")
# The staff inbox: requests by status, newest first.
CALLBACKS_BY_STATUS = Index("callbacks_by_status", CALLBACKS, "status", "created_at")
# The notifier: callback requests whose staff text is still owed (sparse: the field goes once it is delivered).
NOTIFICATIONS_OWED = Index("notifications_owed", CALLBACKS, "notify_queue", "notify_due_at", "N")
# DELETE: a number's MessageSid claims, whose stored replies it scrubs (conversation records carry no phone_hash).
CLAIMS_BY_PHONE = Index("claims_by_phone", CONVERSATIONS, "phone_hash")
INDEXES = (CALLBACKS_BY_PHONE, CALLBACKS_BY_STATUS, NOTIFICATIONS_OWED, CLAIMS_BY_PHONE)
# The one queue the notifier works through: texts to the clinic's staff number.
STAFF_QUEUE = "staff"

# Ten episodes are enough to see a pattern over a few weeks and little enough to stay minimal (no transcripts, no
# free text: the history is not a medical record; platform b-1, HIPAA note).
MAX_EPISODES = 10
# "This week": the recurrence rule counts episodes over the last seven days (red_flags.yaml,
# frequent_or_sleep_disturbing).
RECENT_DAYS = 7

# The prefix of a MessageSid claim's key in CONVERSATIONS, beside the phone hashes.
CLAIM_PREFIX = "sid:"
# How long a MessageSid claim is kept: the SMS line's replay guard (sms/idempotency.py). Thirty days outlasts every
# Twilio redelivery by far, and a replay inside it gets the recorded reply and changes nothing. A stored reply
# quotes at most the callback window the person typed, which their callback request keeps anyway until DELETE,
# and erasure scrubs it from the claims too (shared/erasure.py); DynamoDB's TTL on expires_at removes the claims after.
CLAIM_RETENTION_SECONDS = 30 * 24 * 3600
# Field names more than one module reads or writes (their documents are described below).
EPISODES = "episodes"  # HistoryRecord: the episode list
LINKED = "linked"  # HistoryRecord: the other channel's key
RATE = "rate"  # ConversationRecord: the rate window, kept by whatever rewrites the record (the voice side too)
EPISODE_RECORDED = "episode_recorded"  # ConversationRecord: its episode is counted already


class RateWindow(TypedDict):
    """The SMS rate limit's fixed window (sms/ratelimit.py)."""

    window_start: float
    count: int
    noticed: bool  # the first message over the limit got the pause notice


class ConversationRecord(TypedDict, total=False):
    """CONVERSATIONS, key = phone hash: the dialogue and the rate count in one record, written once per message."""

    conversation: dict  # shared.dialogue.Conversation.to_dict()
    updated_at: float
    episode_recorded: bool  # its episode is in the history already (counted once)
    conversation_until: float | None  # when the conversation expires; the record may live on for the rate count
    last_sid: str  # the last message applied, and the state it was applied to: a redelivery re-applies it
    before_last: dict
    rate: RateWindow


class ClaimRecord(TypedDict, total=False):
    """CONVERSATIONS, key = "sid:<MessageSid>": one message taken, then answered (kept 30 days as replay guard)."""

    state: Literal["processing", "done", "released"]
    phone_hash: str
    claimed_at: float
    lease_until: float  # a "processing" claim whose owner is past this is taken over
    takeovers: int
    reply: str | None  # repeated to a redelivery; scrubbed by DELETE
    finished_at: float


class Episode(TypedDict):
    """One episode in a history: the day, the body part and the verdict, nothing the person said."""

    date: str  # ISO date
    body_part: str | None
    verdict: str


class HistoryRecord(TypedDict, total=False):
    """ATTRIBUTES, key = "alexa_<hash>" or "phone_<hash>": the last MAX_EPISODES episodes and a consented link.

    The Alexa document holds the skill's other persistent attributes beside these (history_notice_given,
    link_declined). A link is written on both documents, each naming the other's key, and counts only while both
    agree (shared/handover.py).
    """

    episodes: list[Episode]
    linked: str
    history_notice_given: bool
    link_declined: bool


class OptOutRecord(TypedDict):
    """OPTOUTS, key = phone hash: present while the number is opted out."""

    opted_out_at: str  # ISO timestamp
    keyword: str  # the word it used (STOP, UNSUBSCRIBE, ...)


class CallbackRecord(TypedDict, total=False):
    """CALLBACKS, key = the callback id: what staff see and work through."""

    id: str
    created_at: str  # ISO timestamp
    phone: str  # for staff to call; stored, never logged
    phone_hash: str
    window: str  # when the person asked to be called, in their words
    summary: str  # built from rule ids and reasons only; "" when asked by voice with the health-data switch off
    urgency: str  # "not_recorded" when asked by voice with the health-data switch off (shared/callbacks.py)
    channel: Literal["sms", "alexa"]  # where it was asked for
    status: Literal["new", "called", "done"]
    called_by: str  # the staff user's id (called_at, done_by, done_at likewise)
    content_version: str  # the content that produced the summary, when recorded
    notified: bool  # Twilio reported the staff text delivered (sms/notifications.py)
    notify_attempts: int
    # While a staff text is owed, and only then (the sparse NOTIFICATIONS_OWED index): the queue and when it is due.
    notify_queue: str
    notify_due_at: float
    notify_status: str  # Twilio's last reported status of the latest attempt (queued, sent, delivered, failed ...)
    notify_message_sid: str
    notify_sent_at: float
    last_notify_error: str
