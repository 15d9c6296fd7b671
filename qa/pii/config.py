"""What counts as personal data and how it is cued: `entities.yaml`, parsed once into `PiiConfig`."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class EntityRule:
    """One kind of personal data: its `token` in redacted text ("CARD" → "[CARD]"), the digit counts a
    cued number of this kind may have, the phrases that cue it (lower case) and the entity after which
    a number of this kind needs no cue of its own (`after`)."""

    name: str
    token: str
    min_digits: int
    max_digits: int
    cues: tuple[str, ...]
    after: str | None = None


@dataclass(frozen=True)
class WidenRule:
    """`widen` in `entities.yaml`: how far redaction reaches beyond the numbers found (times in s)."""

    entities: frozenset[str]
    unsure_conf: float
    gap_s: float
    stretch_entities: frozenset[str]
    stretch_start_s: float
    pause_s: float
    max_s: float
    after_card_s: float
    join_s: float
    garbled_conf: float
    unheard_entities: frozenset[str]
    mail_words: frozenset[str]
    answer_entities: frozenset[str]
    answer_max_s: float
    near_entities: frozenset[str]


@dataclass(frozen=True)
class PiiConfig:
    """`entities.yaml`: see its comments for every field's meaning (times in seconds)."""

    entities: dict[str, EntityRule]
    not_personal: tuple[str, ...]
    read_back: tuple[str, ...]
    units: frozenset[str]
    money: frozenset[str]
    counted: frozenset[str]
    unprompted: tuple[tuple[str, int, int, str | None], ...]
    birth_years: tuple[int, int]
    max_gap_s: float
    max_run_digits: int
    cue_window_s: float
    own_cue_window_s: float
    min_own_digits: int
    cued_score: float
    unprompted_score: float
    widen: WidenRule

    def token(self, entity: str) -> str:
        rule = self.entities.get(entity)
        return rule.token if rule else "PII"


def load_pii_config(path: Path | None = None) -> PiiConfig:
    """The packaged `entities.yaml`, or the file at `path`."""
    text = path.read_text() if path else resources.files("qa.pii").joinpath("entities.yaml").read_text()
    raw: dict[str, Any] = yaml.safe_load(text)
    entities = {
        name: EntityRule(
            name=name,
            token=str(spec["token"]),
            min_digits=int(spec["digits"][0]),
            max_digits=int(spec["digits"][1]),
            cues=tuple(str(c).lower() for c in spec.get("cues") or ()),
            after=spec.get("after"),
        )
        for name, spec in raw["entities"].items()
    }
    return PiiConfig(
        entities=entities,
        not_personal=tuple(str(c).lower() for c in raw["not_personal"]["cues"]),
        read_back=tuple(str(c).lower() for c in raw["read_back"]),
        money=frozenset(str(u).lower() for u in raw["not_personal"]["money"]),
        counted=frozenset(str(u).lower() for u in raw["not_personal"]["counted"]),
        units=frozenset(str(u).lower() for u in raw["not_personal"]["units"] + raw["not_personal"]["money"]),
        unprompted=tuple(
            (u["entity"], int(u["digits"][0]), int(u["digits"][1]), u.get("speaker"))
            for u in raw["unprompted"]
        ),
        birth_years=(int(raw["birth_years"][0]), int(raw["birth_years"][1])),
        max_gap_s=float(raw["max_gap_s"]),
        max_run_digits=int(raw["max_run_digits"]),
        cue_window_s=float(raw["cue_window_s"]),
        own_cue_window_s=float(raw["own_cue_window_s"]),
        min_own_digits=int(raw["min_own_digits"]),
        cued_score=float(raw["cued_score"]),
        unprompted_score=float(raw["unprompted_score"]),
        widen=WidenRule(
            entities=frozenset(raw["widen"]["entities"]),
            unsure_conf=float(raw["widen"]["unsure_conf"]),
            gap_s=float(raw["widen"]["gap_s"]),
            stretch_entities=frozenset(raw["widen"]["stretch"]["entities"]),
            stretch_start_s=float(raw["widen"]["stretch"]["start_s"]),
            pause_s=float(raw["widen"]["stretch"]["pause_s"]),
            max_s=float(raw["widen"]["stretch"]["max_s"]),
            after_card_s=float(raw["widen"]["after_card_s"]),
            join_s=float(raw["widen"]["join_s"]),
            garbled_conf=float(raw["widen"]["stretch"]["garbled_conf"]),
            unheard_entities=frozenset(raw["widen"]["stretch"]["unheard"]),
            mail_words=frozenset(str(w).lower() for w in raw["widen"]["stretch"]["mail_words"]),
            answer_entities=frozenset(raw["widen"]["answer"]["entities"]),
            answer_max_s=float(raw["widen"]["answer"]["max_s"]),
            near_entities=frozenset(raw["widen"]["near_number"]),
        ),
    )
