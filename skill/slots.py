"""Translate intent slots for the core: DescribeSymptomIntent's into Observations (by the slot value ids), and
CallbackIntent's time window."""

from __future__ import annotations

from collections.abc import Iterable

from ask_sdk_model import Intent, IntentConfirmationStatus, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.slu.entityresolution import StatusCode

from shared.content import Question
from shared.dialogue import Message
from shared.facts import Observations

DESCRIBE_INTENT = "DescribeSymptomIntent"
# The fact each DescribeSymptomIntent slot fills (its values' ids are the ids of concepts.yaml).
SLOT_FACTS = {
    "body_part": "body_part", "feeling": "pattern", "duration": "duration_minutes", "context": "contexts",
    "age": "age_band",
}

# Spoken duration buckets as minutes, matching what the pending duration question's options set
# (questions.yaml) so a slot and a typed answer weigh the same in the rules. Each bucket lies wholly on one side
# of every duration threshold in rules.yaml and red_flags.yaml ("weeks" is the two weeks of a twitch that needs
# a check-up); interaction_models/README.md says why the models use these buckets, not AMAZON.DURATION.
DURATION_MINUTES = {"seconds": 0.5, "minutes": 3, "over_10_minutes": 15, "hours": 120, "days": 2880, "weeks": 20160}


def resolved_id(slot: Slot | None) -> str | None:
    """The slot value id of the first ER_SUCCESS_MATCH authority, or None."""
    if slot is None or slot.resolutions is None:
        return None
    for authority in slot.resolutions.resolutions_per_authority or []:
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH and authority.values:
            return authority.values[0].value.id
    return None


def message_from_intent(intent: Intent, concepts: dict[str, tuple[str, ...]]) -> Message:
    """Facts from resolved slots (their value ids are the ids of concepts.yaml); words Alexa heard but could not
    resolve go to the free-text reader."""
    slots = intent.slots or {}
    facts: dict = {}
    unresolved: list[str] = []
    for name, fact in SLOT_FACTS.items():
        known = DURATION_MINUTES if fact == "duration_minutes" else concepts[fact]
        slot = slots.get(name)
        value_id = resolved_id(slot)
        if value_id not in known:
            if slot is not None and slot.value:
                unresolved.append(slot.value)
            continue
        if fact == "duration_minutes":
            facts[fact] = DURATION_MINUTES[value_id]
        elif fact == "contexts":  # a set fact: the slot adds one
            facts[fact] = [value_id]
        else:
            facts[fact] = value_id
    observations = Observations.from_dict(facts) if facts else None
    return Message(text=" ".join(unresolved), facts=observations)


def window_from_intent(intent: Intent, windows: Iterable[str]) -> str | None:
    """The callback window said: a window id of wording.yaml's callback_windows, else the words Alexa heard."""
    slot = (intent.slots or {}).get("window")
    value_id = resolved_id(slot)
    if value_id in windows:
        return value_id
    return (slot.value or "").strip() or None if slot is not None else None


def heard(intent: Intent) -> str:
    """The words Alexa heard in the intent's slots, joined (for the reader when no slot type fits)."""
    return " ".join((slot.value or "").strip() for slot in (intent.slots or {}).values() if slot.value).strip()


def slot_for(question: Question) -> str | None:
    """The DescribeSymptomIntent slot that holds the answer to a question: the one fact all its options set."""
    facts = {fact for option in question.options for fact in option.sets}
    if question.kind != "choice" or len(facts) != 1:
        return None
    (fact,) = facts
    return next((slot for slot, slot_fact in SLOT_FACTS.items() if slot_fact == fact), None)


def elicit(slot: str) -> ElicitSlotDirective:
    """Dialog.ElicitSlot for one DescribeSymptomIntent slot, so a bare answer ("a hard knot", "during exercise")
    reaches the skill as that slot: the model's slot samples are heard only while it is elicited
    (interaction_models/README.md)."""
    empty = {
        name: Slot(name=name, confirmation_status=SlotConfirmationStatus.NONE) for name in SLOT_FACTS
    }
    intent = Intent(name=DESCRIBE_INTENT, confirmation_status=IntentConfirmationStatus.NONE, slots=empty)
    return ElicitSlotDirective(slot_to_elicit=slot, updated_intent=intent)


def free_text_message(intent: Intent) -> Message:
    """The AMAZON.SearchQuery phrase, for the core's reader (never logged, never spoken back)."""
    slot = (intent.slots or {}).get("description")
    return Message(text=(slot.value or "").strip() if slot else "")
