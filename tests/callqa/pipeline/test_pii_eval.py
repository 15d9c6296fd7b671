"""The scoring of `callqa eval-pii` on written transcripts: caught only when no digit is left."""

from __future__ import annotations

from collections import defaultdict

from callqa.pipeline.pii_eval import EntityTally, PiiReport, _tally, labelled_entities
from qa.pii.config import load_pii_config
from qa.pii.detect import find_pii
from qa.pii.redact import redact_transcript
from tests.qa.pii_helpers import transcript

RECORD = {
    # the card is said in the caller's turn at 2.6–4.9 s, the code at 8.2–9.3 s; the agent's "one" at
    # 6.4–6.7 s is labelled as a phone number nobody could have found
    "turns": [{"start": 2.6, "end": 4.9}, {"start": 8.2, "end": 9.3}, {"start": 6.4, "end": 6.7}],
    "labels": {
        "pii": [
            {"entity": "CREDIT_CARD", "speaker": "caller", "turns": [0], "digits": "4532015112830366"},
            {"entity": "CVV", "speaker": "caller", "turns": [1], "digits": "737"},
            {"entity": "PHONE_NUMBER", "speaker": "agent", "turns": [2], "digits": "1"},
        ]
    },
}


def test_an_entity_is_caught_only_when_none_of_its_digits_is_left() -> None:
    tr = transcript(
        ("agent", "Your card number please."),
        ("caller", "it is 4532 0151 1283 0366"),
        ("agent", "Thanks, one moment."),
        ("caller", "seven three seven"),
    )
    entities = labelled_entities("c1", RECORD)
    spans = find_pii(tr, load_pii_config())
    redacted = redact_transcript(tr, spans)
    tallies: dict[str, EntityTally] = defaultdict(EntityTally)
    wrong: list[str] = []
    # `again` (the redacted audio decoded again) is the original here: every digit comes back
    _tally(tallies, wrong, "c1", entities, spans, tr, redacted, tr)
    figures = PiiReport(dict(tallies), calls=1, minutes=1.0, redaction_s=0.1, wrong=wrong).figures()
    card, code, phone = (figures["entities"][e] for e in ("CREDIT_CARD", "CVV", "PHONE_NUMBER"))
    assert card["recall"] == 1.0 and card["precision"] == 1.0
    assert card["digits_recoverable_from_redacted_audio"] == 16
    assert code["recall"] == 1.0  # read right after the card number: redacted with it
    assert phone["recall"] == 0.0 and phone["missed"] == ["c1 agent 6.4s"]
    assert figures["precision"] == 1.0 and figures["redaction_s_per_call_minute"] == 0.1
