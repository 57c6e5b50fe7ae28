"""The core on the command line, for clinicians reviewing how a phrasing is read and what is said.

  python -m shared.cli "my calf locked up during my run"   how one phrasing is read and judged (the card)
  python -m shared.cli --json "..."                        the same as one JSON object
  python -m shared.cli --chat                              a whole conversation as the SMS line holds it
                                                           (`make chat`); nothing is sent or stored
`python -m shared.triage` is the same command. Without text (and without --chat) it reads the text from stdin.
The content is CRAMP_CONTENT_DIR's when that is set, like every other entry point's.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from shared.config import content_dir_from_env
from shared.content import Content, load_content
from shared.dialogue import Conversation, Event, Message, Reply, next_step
from shared.reader import MAX_TEXT_CHARS, read
from shared.render import render
from shared.triage import Assessment, assess

COMMANDS = {"TIPS": Event.TIPS, "CALL": Event.CALL, "NEW": Event.NEW, "RESTART": Event.NEW}


def summary(assessment: Assessment, content: Content, locale: str) -> dict[str, Any]:
    """The assessment as one JSON object, its keys worded in the locale's language."""
    words = content.language(locale).words
    question = assessment.next_question_id
    return {
        "verdict": assessment.verdict,
        "strength": assessment.strength,
        "urgency": assessment.urgency,
        "red_flag": assessment.red_flag,
        "urgency_reason": words["red_flags"][assessment.red_flag] if assessment.red_flag else None,
        "body_part": assessment.body_part,
        # Signs only hedged or partly said (the next question asks about them), and whose cramp it is.
        "possible_signs": sorted(assessment.observations.possible_signs),
        "experiencer": assessment.observations.experiencer,
        "reasons": [words["reasons"][rule] for rule in assessment.reason_ids],
        "fired_rules": list(assessment.fired_rules),
        "relief": words["relief"][assessment.relief_id],
        "next_question": ask(question, content, locale) if question else None,
        "next_question_id": question,
        "tips": list(assessment.tip_ids),
        "observations": assessment.observations.to_dict(),
    }


def problem_with(text: str) -> str | None:
    """Why a text cannot be read (or can be read only in part), or None."""
    if not text.strip():
        return "Nothing to read: give the words the person used, for example \"my calf locked up\"."
    # Bytes that are not UTF-8 arrive as U+FFFD (stdin) or lone surrogates (argv): both count as junk.
    # Checked before the length, so a long run of junk is refused too rather than half-read.
    if sum(ch == "\ufffd" or (not ch.isprintable() and not ch.isspace()) for ch in text) > len(text) // 4:
        return "That does not look like text (too many control or binary characters)."
    if len(text) > MAX_TEXT_CHARS:
        return f"That text is {len(text)} characters; only the first {MAX_TEXT_CHARS} are read."
    return None


def judge_one(text: str, content: Content, locale: str, as_json: bool) -> int:
    """Print how one phrasing is read and judged; 2 when it is not text at all."""
    problem = problem_with(text)
    if problem and not problem.startswith("That text is"):
        if as_json:
            print(json.dumps({"error": problem}))
        else:
            print(problem, file=sys.stderr)
        return 2
    assessment = assess(read(text, content.language(locale).lexicon), content)
    if as_json:
        out = summary(assessment, content, locale)
        if problem:
            out["warning"] = problem
        print(json.dumps(out, indent=2))
        return 0
    if problem:
        print(problem)
    print(render("card", "assessment", locale, content=content, assessment=assessment))
    if assessment.next_question_id:
        print(f"\nNext question: {ask(assessment.next_question_id, content, locale)}")
    return 0


def ask(question_id: str, content: Content, locale: str) -> str:
    """A question as the SMS line texts it, with how to answer it."""
    return render("sms", "ask", locale, content=content, question=content.question(question_id))


def chat_reply(conversation: Conversation, text: str, content: Content, locale: str) -> tuple[Conversation, str]:
    """Run one message through the dialogue and word the reply as the SMS line would."""
    event = COMMANDS.get(text.strip().upper(), Event.DESCRIBE)
    message = Message(text=text if event == Event.DESCRIBE else "")
    turn = next_step(conversation, event, message, content=content, locale=locale)
    if turn.reply == Reply.CALLBACK_CONFIRMED:
        # The SMS line stores the request and texts the clinic's staff; this chat does neither.
        reply = (
            f"(In this chat nothing is sent or stored. On the SMS line the clinic would now get a callback request "
            f"for: {turn.conversation.callback_window}.)"
        )
        return turn.conversation, reply
    return turn.conversation, render(
        "sms", turn.reply.value, locale, content=content, **turn.context(), tips=turn.assessment.tip_ids
    )


def chat(content: Content, locale: str) -> int:
    """Read lines from the terminal until an empty line or end of input."""
    print("Cramp Check in the terminal: describe the cramp; TIPS, CALL and NEW work as on the SMS line. Nothing")
    print("you type is sent or stored. An empty line ends.")
    conversation = Conversation()
    for line in sys.stdin:
        if not line.strip():
            break
        conversation, reply = chat_reply(conversation, line, content, locale)
        print(f"\n{reply}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run it."""
    parser = argparse.ArgumentParser(prog="python -m shared.cli", description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="?", help="what the person said or texted (default: read stdin)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--chat", action="store_true", help="hold a whole conversation, line by line")
    parser.add_argument("--locale", default="en-US", help="en-US, en-GB, en-CA, en-AU or en-IN")
    args = parser.parse_args(argv)
    content = load_content(content_dir_from_env())
    if args.chat:
        return chat(content, args.locale)
    text = args.text if args.text is not None else sys.stdin.buffer.read().decode("utf-8", errors="replace")
    return judge_one(text, content, args.locale, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
