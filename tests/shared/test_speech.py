"""The spoken-length measure: 150 words a minute plus the pauses the SSML asks for."""

from __future__ import annotations

import pytest

from shared.speech import spoken_seconds, spoken_words


def test_spoken_seconds_thirty_words_take_twelve_seconds() -> None:
    assert spoken_seconds("<speak>" + " ".join(["word"] * 30) + "</speak>") == 12.0


def test_spoken_words_tags_are_not_said_and_digits_are_said_one_by_one() -> None:
    assert spoken_words("<speak><p>Call 9 1 1 now.</p></speak>") == 5
    assert spoken_words('<speak>Call <say-as interpret-as="telephone">5 5 5</say-as>.</speak>') == 4


def test_spoken_words_contractions_are_one_word() -> None:
    assert spoken_words("<speak>Don't rub it; it's fine.</speak>") == 5


@pytest.mark.parametrize(
    ("ssml", "pause"),
    [
        ('<break time="700ms"/>', 0.7),
        ('<break time="2s"/>', 2.0),
        ('<break strength="x-strong"/>', 1.0),
        ("<break/>", 0.5),
        ("<p>one</p><p>two</p>", 1.0),
    ],
)
def test_spoken_seconds_breaks_and_paragraphs_add_their_pause(ssml: str, pause: float) -> None:
    words = spoken_words(ssml)
    assert spoken_seconds(f"<speak>{ssml}</speak>") == pytest.approx(words * 0.4 + pause)
