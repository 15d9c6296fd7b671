"""Weighted scorecards: QA verdicts → a 0–100 call score, with critical items that cap the total (a cap
of 0 is an auto-fail), items that may or may not be marked not applicable, and conditional items that
apply only when an earlier item has a given verdict.

Scoring is split in two so human reviews can replace machine verdicts: `verdicts_from_analysis` reads the
machine's verdict per item, `score_verdicts` turns any verdicts (machine or human) into points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from qa.analysis import CallAnalysis
from scoring.exceptions import ScorecardError
from scoring.glossary import label

VERDICT_KINDS = ("check", "no_violations", "empathy_when_needed", "no_dead_air")


@dataclass(frozen=True)
class Condition:
    """An item applies only when the earlier item `item` has the verdict `passed`."""

    item: str
    passed: bool


@dataclass(frozen=True)
class ScoreItemDef:
    id: str
    verdict: str
    weight: float
    critical: bool = False
    cap: float = 0.0
    """The most a call may score (0–100) when this critical item fails; 0 makes it an auto-fail."""
    na_allowed: bool = True
    """Whether the item may be not applicable; when not, a missing verdict counts as failed."""
    applies_when: Condition | None = None


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
    """One item's outcome: `passed` None means not applicable (left out of the denominator). `verdict` is
    the verdict the item was given, before its condition and N/A rule made `passed` of it: re-scoring (a
    reviewer's change to the item a condition names) starts from it."""

    item: str
    weight: float
    passed: bool | None
    points: float
    critical: bool
    note: str = ""
    verdict: bool | None = None

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
        """Item id → the verdict it was given (None = not applicable), before conditions and N/A rules:
        what `score_verdicts` takes to score the call again."""
        return {i.item: i.verdict for i in self.items}

    def to_json(self) -> dict[str, Any]:
        """Every field as JSON-ready data (derived from the dataclass fields); `from_json` reads it back."""
        data: dict[str, Any] = _score_codec().dump_python(self, mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallScore:
        """Parse `to_json` output; pydantic.ValidationError names the first field that does not fit.
        Scores stored before items had conditions or N/A rules have no `verdict`: it was `passed`."""
        items = [i if "verdict" in i else {**i, "verdict": i.get("passed")} for i in data.get("items", [])]
        return _score_codec().validate_python({**data, "items": items})


@cache
def _score_codec() -> TypeAdapter[CallScore]:
    return TypeAdapter(CallScore)


ITEM_ID = re.compile(r"[a-z][a-z0-9_]{0,79}")
"""What an item id may be: it names form fields and stored verdicts, so plain lowercase words."""


def parse_scorecard(data: Any, *, source: str, known_checks: Collection[str] | None = None) -> Scorecard:
    """A scorecard from its YAML-shaped data (the schema is in `scorecards/default.yaml`). A `check:<name>`
    verdict must name one of `known_checks` when they are given. Raises ScorecardError naming every problem
    found (`problems`, one sentence each, items by position and id)."""
    if not isinstance(data, dict):
        raise ScorecardError(f"{source}: invalid scorecard (not a mapping)")
    problems: list[str] = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.append("no items")
        raw_items = []
    items: list[ScoreItemDef] = []
    seen: list[str] = []
    for n, raw in enumerate(raw_items, 1):
        item = _parse_item(raw, n, seen, known_checks, problems)
        if item is not None:
            items.append(item)
    composite = data.get("composite") or {}
    weights: dict[str, float] = {}
    attitude: tuple[str, ...] = ()
    if not isinstance(composite, dict):
        problems.append("composite must be a mapping")
    else:
        raw_weights = composite.get("weights") or {}
        weights = {str(k): _number(v) or 0.0 for k, v in dict(raw_weights).items()}
        if weights and (set(weights) != set(COMPOSITE_PARTS) or abs(sum(weights.values()) - 1.0) > 1e-6):
            problems.append(f"composite weights must give {', '.join(COMPOSITE_PARTS)} summing to 1")
        attitude = tuple(str(i) for i in composite.get("attitude_items") or ())
        unknown = sorted(set(attitude) - set(seen))
        if unknown:
            problems.append(f"composite attitude_items {unknown} are not items of this scorecard")
    card_id, version = str(data.get("id") or "").strip(), str(data.get("version") or "").strip()
    if not card_id or not version:
        problems.append("the scorecard needs an id and a version")
    if problems:
        raise ScorecardError(f"{source}: invalid scorecard: " + "; ".join(problems), problems)
    return Scorecard(card_id, version, tuple(items), weights, attitude)


def _number(value: Any) -> float | None:
    """`value` as a finite float, or None (booleans and text that is no number included)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _parse_item(
    raw: Any, n: int, seen: list[str], known_checks: Collection[str] | None, problems: list[str]
) -> ScoreItemDef | None:
    """Item number `n` (from 1); `seen` holds the ids listed before it and gets this one. Problems are
    appended to `problems`; None when there is any."""
    if not isinstance(raw, dict):
        problems.append(f"item {n} is not a mapping")
        return None
    item_id = str(raw.get("id") or "").strip()
    where = f"item {n} ({item_id})" if item_id else f"item {n}"
    found = len(problems)
    if not ITEM_ID.fullmatch(item_id):
        problems.append(f"{where}: the id must be a lowercase word (letters, digits, _; up to 80)")
    elif item_id in seen:
        problems.append(f"{where}: the id is used by an earlier item")
    verdict = str(raw.get("verdict") or "").strip()
    kind, _, arg = verdict.partition(":")
    if kind not in VERDICT_KINDS or (kind == "check" and not arg):
        problems.append(f"{where} has unknown verdict {verdict!r}")
    elif kind == "check" and known_checks is not None and arg not in known_checks:
        problems.append(f"{where}: unknown check {arg!r} (checks are {', '.join(sorted(known_checks))})")
    weight = _number(raw.get("weight"))
    if weight is None or weight <= 0:
        problems.append(f"{where} needs a positive weight")
    cap = _number(raw.get("cap", 0.0))
    if cap is None or not 0 <= cap <= 100:
        problems.append(f"{where}: cap must be within 0–100")
    na_allowed = bool(raw.get("na_allowed", True))
    if not na_allowed and kind == "empathy_when_needed":
        problems.append(
            f"{where}: empathy is not applicable unless the caller was upset, so it must allow N/A"
        )
    condition = None
    when = raw.get("applies_when")
    if when:
        other = str(when.get("item") or "") if isinstance(when, dict) else ""
        wanted = when.get("verdict") if isinstance(when, dict) else None
        if other not in seen:
            problems.append(f"{where}: its condition must name an item listed before it, not {other!r}")
        if wanted not in ("pass", "fail"):
            problems.append(f"{where}: its condition's verdict must be pass or fail")
        condition = Condition(other, wanted == "pass")
    seen.append(item_id)
    if len(problems) > found or weight is None or cap is None:
        return None
    return ScoreItemDef(
        item_id, verdict, weight, bool(raw.get("critical", False)), cap, na_allowed, condition
    )


def _plain(number: float) -> float | int:
    return int(number) if number.is_integer() else number


def scorecard_to_data(card: Scorecard) -> dict[str, Any]:
    """`card` in its YAML shape (what `parse_scorecard` reads back): storage and YAML export. Defaults
    are left out, so a card written by hand reads the same after a round trip."""
    items: list[dict[str, Any]] = []
    for i in card.items:
        raw: dict[str, Any] = {"id": i.id, "verdict": i.verdict, "weight": _plain(i.weight)}
        if i.critical:
            raw |= {"critical": True, "cap": _plain(i.cap)}
        if not i.na_allowed:
            raw["na_allowed"] = False
        if i.applies_when is not None:
            raw["applies_when"] = {
                "item": i.applies_when.item,
                "verdict": "pass" if i.applies_when.passed else "fail",
            }
        items.append(raw)
    data: dict[str, Any] = {"id": card.id, "version": card.version, "items": items}
    if card.composite_weights or card.attitude_items:
        data["composite"] = {
            "weights": dict(card.composite_weights),
            "attitude_items": list(card.attitude_items),
        }
    return data


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


def scores_remark_kinds(card: Scorecard) -> bool:
    """Whether an item of `card` scores one kind of forbidden remark alone (`no_violations:<category>`):
    only then does a remark's kind change the score (a certain remark whose kind is the model's guess,
    `qa.phrases.Violation.category_sure`, decides `no_violations` of any kind)."""
    return any(item.verdict.startswith("no_violations:") for item in card.items)


def verdicts_from_analysis(analysis: CallAnalysis, scorecard: Scorecard) -> dict[str, bool | None]:
    return {item.id: machine_verdict(item, analysis) for item in scorecard.items}


def score_verdicts(verdicts: Mapping[str, bool | None], scorecard: Scorecard) -> CallScore:
    """Points per item and the 0–100 total: weighted share of applicable items passed, then critical caps.
    An item whose condition does not hold is not applicable; one that does not allow N/A counts a missing
    verdict as failed. Verdicts of items `scorecard` lacks are ignored; items without one are N/A."""
    outcome: dict[str, bool | None] = {}
    notes: dict[str, str] = {}
    for item in scorecard.items:
        given, when = verdicts.get(item.id), item.applies_when
        if when is not None and outcome.get(when.item) is not when.passed:
            outcome[item.id] = None
            notes[item.id] = f"applies only when {label(when.item)} {'passed' if when.passed else 'failed'}"
        elif given is None and not item.na_allowed:
            outcome[item.id], notes[item.id] = False, "N/A is not allowed: counted as failed"
        else:
            outcome[item.id], notes[item.id] = given, "not applicable" if given is None else ""
    denominator = sum(i.weight for i in scorecard.items if outcome[i.id] is not None)
    items: list[ItemScore] = []
    for item in scorecard.items:
        passed = outcome[item.id]
        points = 100.0 * item.weight / denominator if passed and denominator else 0.0
        given = verdicts.get(item.id)
        items.append(ItemScore(item.id, item.weight, passed, points, item.critical, notes[item.id], given))
    total = sum(i.points for i in items) if denominator else 100.0
    for item in scorecard.items:
        if item.critical and outcome[item.id] is False and total > item.cap:
            total = item.cap
    return CallScore(round(total, 2), tuple(items), scorecard.id, scorecard.version)


def score_call(analysis: CallAnalysis, scorecard: Scorecard) -> CallScore:
    """Score a call on its machine verdicts."""
    return score_verdicts(verdicts_from_analysis(analysis, scorecard), scorecard)
