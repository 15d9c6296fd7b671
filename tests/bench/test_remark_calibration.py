"""Calibration sentences are the decoded agent sentences, labelled by the remark turns under them, and none
of them is a sentence the intent model was trained on."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from bench.remark_calibration import Row, label_sentences, set_rows, to_tsv, trained_on
from qa.intents import normalized
from qa.intents_calibration import read_calibration
from transcription.recognizer import Segment, Transcript, Word

FORBIDDEN = {"rude": ("Would you quit butting in?",), "blame_customer": ("You ticked the wrong box.",)}
TRAINING = [
    normalized(t) for t in ("You should have read the terms before signing.", "I'll put you on hold.")
]
TURNS = [
    {"speaker": "agent", "start": 0.5, "end": 2.0, "text": "Hello, Tamsin speaking."},
    {"speaker": "caller", "start": 2.5, "end": 4.0, "text": "Would you quit butting in?"},
    {"speaker": "agent", "start": 5.0, "end": 6.5, "text": "Would you quit butting in?"},
    {"speaker": "agent", "start": 7.5, "end": 9.0, "text": "You should have read the terms before signing."},
    {"speaker": "agent", "start": 10.0, "end": 12.0, "text": "Right, I'll put you on hold, back soon."},
]


def _segment(speaker: str, words: list[tuple[str, float, float, float]]) -> Segment:
    return Segment(
        speaker,  # type: ignore[arg-type]
        words[0][1],
        words[-1][2],
        " ".join(w[0] for w in words),
        tuple(Word(*w) for w in words),
    )


# The agent's decode: greeting and the remark in one segment (two sentences), the trained sentence, the hold.
DECODED = Transcript(
    (
        _segment("agent", [("Hello,", 0.6, 0.9, 0.9), ("Tamsin.", 0.9, 1.9, 0.8)]),
        _segment("caller", [("Would", 2.6, 2.8, 0.9), ("you", 2.8, 3.0, 0.9), ("quit?", 3.0, 3.9, 0.9)]),
        _segment(
            "agent",
            [
                ("Would", 5.3, 5.5, 0.9),
                ("you", 5.5, 5.7, 0.7),
                ("quick", 5.7, 6.0, 0.4),
                ("butter?", 6.0, 6.9, 0.6),
            ],
        ),
        _segment("agent", [("You", 7.6, 7.8, 0.9), ("should", 7.8, 8.1, 0.9), ("have.", 8.1, 8.5, 0.9)]),
        _segment(
            "agent", [("Right,", 10.1, 10.4, 0.9), ("back", 11.0, 11.3, 0.9), ("soon.", 11.3, 11.8, 0.9)]
        ),
    ),
    13.0,
)


def test_agent_sentences_are_labelled_by_the_remark_turns_under_them() -> None:
    rows = label_sentences(DECODED, TURNS, FORBIDDEN, TRAINING, where="k/call-1")
    # The caller's words are no agent sentence; the remark read as "quick butter" keeps its turn's label
    # (its word times drift 0.4 s past the turn's end, within the slack, and short of the next turn's
    # start by 0.6 s); the two sentences over turns that are or hold a training sentence are left out.
    assert rows == [
        Row("none", "Hello, Tamsin.", 0.85, "k/call-1@0.60"),
        Row("rude", "Would you quick butter?", 0.65, "k/call-1@5.30"),
    ]


def test_a_turn_counts_as_trained_on_when_close_to_or_holding_a_training_sentence() -> None:
    assert trained_on("You should have read the terms before you signed.", TRAINING)
    assert trained_on("Right, I'll put you on hold, back soon.", TRAINING)
    assert not trained_on("You ticked the wrong box.", TRAINING)


def test_a_decoded_set_is_written_as_the_packaged_calibration_file(tmp_path: Path) -> None:
    (tmp_path / "k-1.json").write_text(json.dumps({"turns": TURNS}))
    first = tmp_path / "first.jsonl"
    decoded = {
        "file": str(tmp_path / "k-1.wav"),
        "duration_s": DECODED.duration_s,
        "transcript": DECODED.to_json()["segments"],
    }
    first.write_text(json.dumps(decoded) + "\n")
    rows = set_rows("k", tmp_path, first, SimpleNamespace(FORBIDDEN=FORBIDDEN), TRAINING)
    path = tmp_path / "calibration.tsv"
    path.write_text(to_tsv(rows))
    read = read_calibration(path)
    assert read.texts == ["Hello, Tamsin.", "Would you quick butter?"]
    assert read.categories == [frozenset(), frozenset({"rude"})]
    assert read.sources == ["k/k-1@0.60", "k/k-1@5.30"]
