"""A terminal conversation with the core, as the SMS line would hold it (no server, no accounts).

`python -m shared.cli` (or `make chat`): type what a person would text; TIPS, CALL and NEW work as on the
SMS line; an empty line or Ctrl-D ends. Useful for clinicians reviewing the wording of a whole dialogue.
"""

from __future__ import annotations

import sys

from shared.content import load_content
from shared.dialogue import Conversation, Event, Message, next_step
from shared.render import render

COMMANDS = {"TIPS": Event.TIPS, "CALL": Event.CALL, "NEW": Event.NEW, "RESTART": Event.NEW}


def reply_for(conversation: Conversation, text: str, locale: str = "en-US") -> tuple[Conversation, str]:
    """Run one message through the dialogue and render the SMS reply."""
    content = load_content()
    event = COMMANDS.get(text.strip().upper(), Event.DESCRIBE)
    turn = next_step(conversation, event, Message(text="" if event != Event.DESCRIBE else text), content=content)
    tips = [t for t in content.tips if t.id in turn.assessment.tip_ids]
    return turn.conversation, render("sms", turn.reply.value, locale, content=content, **turn.context(), tips=tips)


def main() -> int:
    """Read lines from the terminal until an empty line or end of input."""
    print("Cramp Check (terminal). Describe the cramp; TIPS, CALL, NEW work; empty line to quit.")
    conversation = Conversation()
    for line in sys.stdin:
        if not line.strip():
            break
        conversation, reply = reply_for(conversation, line)
        print(f"\n{reply}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
