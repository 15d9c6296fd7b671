"""Weighted scorecards: QA verdicts → a 0–100 call score, with critical items that cap the total.

Scoring is split in two so human reviews can replace machine verdicts: `verdicts_from_analysis` reads the
machine's verdict per item, `score_verdicts` turns any verdicts (machine or human) into points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from qa.analysis import CallAnalysis
from scoring.exceptions import ScorecardError

VERDICT_KINDS = ("check", "no_violations", "empathy_when_needed", "no_dead_air")


@dataclass(frozen=True)
class ScoreItemDef:
    id: str
    verdict: str
    weight: float
    critical: bool = False
    cap: float = 0.0


COMPOSITE_PARTS = ("knowledge", "skills", "attitude", "performance")


@dataclass(frozen=True)
class Scorecard:
    id: str
    version: str
    items: tuple[ScoreItemDef, ...]
    composite_weights: dict[str, float] = field(default_factory=dict)
    """Share (0–1, summing to 1) of each of COMPOSITE_PARTS in the monthly composite; empty: none."""
    attitude_items: tuple[str, ...] = ()
    """Item ids whose pass rate (×100) is the composite's attitude part."""


@dataclass(frozen=True)
class ItemScore:
    """One item's outcome: `passed` None means not applicable (left out of the denominator)."""

    item: str
    weight: float
    passed: bool | None
    points: float
    critical: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "weight": self.weight,
            "passed": self.passed,
            "points": round(self.points, 2),
            "critical": self.critical,
            "note": self.note,
        }


@dataclass(frozen=True)
class CallScore:
    """The scoring stage's record of one call: the machine's 0–100 `total` and each item's outcome."""

    total: float
    items: tuple[ItemScore, ...]
    scorecard_id: str
    scorecard_version: str

    def verdicts(self) -> dict[str, bool | None]:
        """Item id → the machine's pass/fail (None = not applicable)."""
        return {i.item: i.passed for i in self.items}

    def to_json(self) -> dict[str, Any]:
        """Every field as JSON-ready data (derived from the dataclass fields); `from_json` reads it back."""
        data: dict[str, Any] = _score_codec().dump_python(self, mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallScore:
        """Parse `to_json` output; pydantic.ValidationError names the first field that does not fit."""
        return _score_codec().validate_python(data)


@cache
def _score_codec() -> TypeAdapter[CallScore]:
    return TypeAdapter(CallScore)


def parse_scorecard(data: Any, *, source: str) -> Scorecard:
    try:
        items = tuple(
            ScoreItemDef(
                id=str(raw["id"]),
                verdict=str(raw["verdict"]),
                weight=float(raw["weight"]),
                critical=bool(raw.get("critical", False)),
                cap=float(raw.get("cap", 0.0)),
            )
            for raw in data["items"]
        )
        composite = data.get("composite") or {}
        card = Scorecard(
            id=str(data["id"]),
            version=str(data["version"]),
            items=items,
            composite_weights={str(k): float(v) for k, v in (composite.get("weights") or {}).items()},
            attitude_items=tuple(str(i) for i in composite.get("attitude_items") or ()),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ScorecardError(f"{source}: invalid scorecard ({exc.__class__.__name__}: {exc})") from exc
    for item in items:
        if item.verdict.split(":", 1)[0] not in VERDICT_KINDS:
            raise ScorecardError(f"{source}: item {item.id!r} has unknown verdict {item.verdict!r}")
        if item.weight <= 0:
            raise ScorecardError(f"{source}: item {item.id!r} needs a positive weight")
        if not 0 <= item.cap <= 100:
            raise ScorecardError(f"{source}: item {item.id!r} cap must be within 0–100")
    if not items:
        raise ScorecardError(f"{source}: no items")
    weights = card.composite_weights
    if weights and (set(weights) != set(COMPOSITE_PARTS) or abs(sum(weights.values()) - 1.0) > 1e-6):
        raise ScorecardError(
            f"{source}: composite weights must give {', '.join(COMPOSITE_PARTS)} summing to 1"
        )
    unknown = sorted(set(card.attitude_items) - {i.id for i in items})
    if unknown:
        raise ScorecardError(f"{source}: composite attitude_items {unknown} are not items of this scorecard")
    return card


def load_scorecard(path: Path | None, language: str = "en") -> Scorecard:
    """Load a scorecard YAML (default: the packaged `scoring/scorecards/default_<language>.yaml` when there
    is one for `language`, else `default.yaml`)."""
    packaged = resources.files("scoring").joinpath("scorecards")
    name = f"default_{language}.yaml"
    if not packaged.joinpath(name).is_file():
        name = "default.yaml"
    try:
        if path is None:
            text, source = packaged.joinpath(name).read_text(encoding="utf-8"), name
        else:
            text, source = path.read_text(encoding="utf-8"), str(path)
        return parse_scorecard(yaml.safe_load(text), source=source)
    except OSError as exc:
        raise ScorecardError(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ScorecardError(f"{path}: not valid YAML ({exc})") from exc


def machine_verdict(item: ScoreItemDef, analysis: CallAnalysis) -> bool | None:
    """The machine's pass/fail for one item (None = not applicable to this call)."""
    kind, _, arg = item.verdict.partition(":")
    if kind == "check":
        check = analysis.checks.get(arg)
        return None if check is None else check.passed
    if kind == "no_violations":
        return not any(v.category == arg or not arg for v in analysis.violations)
    if kind == "empathy_when_needed":
        caller = analysis.sentiment.get("caller")
        needed = caller is not None and any(u.label == "neg" for u in caller.utterances)
        return analysis.has_empathy if needed else None
    if kind == "no_dead_air":
        return not analysis.dead_air
    raise ScorecardError(f"unknown verdict {item.verdict!r}")


def verdicts_from_analysis(analysis: CallAnalysis, scorecard: Scorecard) -> dict[str, bool | None]:
    return {item.id: machine_verdict(item, analysis) for item in scorecard.items}


def score_verdicts(verdicts: Mapping[str, bool | None], scorecard: Scorecard) -> CallScore:
    """Points per item and the 0–100 total: weighted share of applicable items passed, then critical caps."""
    applicable = [i for i in scorecard.items if verdicts.get(i.id) is not None]
    denominator = sum(i.weight for i in applicable)
    items: list[ItemScore] = []
    for item in scorecard.items:
        passed = verdicts.get(item.id)
        points = 100.0 * item.weight / denominator if passed and denominator else 0.0
        note = "not applicable" if passed is None else ""
        items.append(ItemScore(item.id, item.weight, passed, points, item.critical, note))
    total = sum(i.points for i in items) if denominator else 100.0
    for item in scorecard.items:
        if item.critical and verdicts.get(item.id) is False and total > item.cap:
            total = item.cap
    return CallScore(round(total, 2), tuple(items), scorecard.id, scorecard.version)


def score_call(analysis: CallAnalysis, scorecard: Scorecard) -> CallScore:
    """Score a call on its machine verdicts."""
    return score_verdicts(verdicts_from_analysis(analysis, scorecard), scorecard)
