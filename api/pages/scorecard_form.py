"""The scorecard editor's form: a card as rows of text fields, the posted rows back, and the rows as the
card's YAML shape (`scoring.scorecard.parse_scorecard` validates it). A refused form is shown again from
the rows exactly as posted, so nothing typed is lost."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scoring.scorecard import Scorecard

BLANK_ROWS = 2
"""Empty rows under the items, for adding items."""
FAILS = ("weight", "cap", "fatal")
"""What a failed item does: loses its weight only, caps the score (critical), or zeroes it (auto-fail)."""
_POSITION = re.compile(r"^item (\d+)\b")


@dataclass
class ItemRow:
    """One item as the form shows it (text as typed). `n` numbers the rows from 1."""

    n: int
    id: str = ""
    verdict: str = ""
    weight: str = ""
    fails: str = "weight"
    cap: str = "0"
    na_allowed: bool = True
    when_item: str = ""
    when_verdict: str = "pass"
    remove: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not (self.id.strip() or self.verdict.strip() or self.weight.strip())


def _text(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def rows_from_card(card: Scorecard) -> list[ItemRow]:
    """The rows of `card`'s items, then BLANK_ROWS empty ones."""
    rows = []
    for n, item in enumerate(card.items, 1):
        fails = "weight" if not item.critical else ("fatal" if item.cap == 0 else "cap")
        when = item.applies_when
        rows.append(
            ItemRow(
                n=n,
                id=item.id,
                verdict=item.verdict,
                weight=_text(item.weight),
                fails=fails,
                cap=_text(item.cap),
                na_allowed=item.na_allowed,
                when_item=when.item if when else "",
                when_verdict="pass" if when is None or when.passed else "fail",
            )
        )
    return rows + [ItemRow(n=len(rows) + k) for k in range(1, BLANK_ROWS + 1)]


def rows_from_form(form: Mapping[str, Any]) -> list[ItemRow]:
    """The rows as posted (`rows` of them, fields `<name>__<n>`)."""
    try:
        count = min(int(str(form.get("rows", "0"))), 200)
    except ValueError:
        count = 0

    def get(name: str, n: int, default: str = "") -> str:
        return str(form.get(f"{name}__{n}", default)).strip()

    return [
        ItemRow(
            n=n,
            id=get("id", n),
            verdict=get("verdict", n),
            weight=get("weight", n),
            fails=get("fails", n, "weight") if get("fails", n, "weight") in FAILS else "weight",
            cap=get("cap", n, "0") or "0",
            na_allowed=get("na", n) == "1",
            when_item=get("when_item", n),
            when_verdict="fail" if get("when_verdict", n) == "fail" else "pass",
            remove=get("remove", n) == "1",
        )
        for n in range(1, count + 1)
    ]


def data_from_rows(
    rows: list[ItemRow], composite: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[int]]:
    """The card's YAML shape from the rows kept (not blank, not removed), with `composite` unchanged, and
    the row number of each item kept (to point a problem about item k at its row)."""
    items: list[dict[str, Any]] = []
    kept: list[int] = []
    for row in rows:
        if row.blank or row.remove:
            continue
        raw: dict[str, Any] = {"id": row.id, "verdict": row.verdict, "weight": row.weight}
        if row.fails != "weight":
            raw |= {"critical": True, "cap": "0" if row.fails == "fatal" else row.cap}
        if not row.na_allowed:
            raw["na_allowed"] = False
        if row.when_item:
            raw["applies_when"] = {"item": row.when_item, "verdict": row.when_verdict}
        items.append(raw)
        kept.append(row.n)
    data: dict[str, Any] = {"items": items}
    if composite:
        data["composite"] = dict(composite)
    return data, kept


def attach_problems(rows: list[ItemRow], problems: tuple[str, ...], kept: list[int]) -> list[str]:
    """Give each row the problems about its item (renumbered from item position to row number); returns
    every problem in the form's numbering, for the summary above the form."""
    by_row = {row.n: row for row in rows}
    out = []
    for problem in problems:
        match = _POSITION.match(problem)
        if match and 0 < int(match.group(1)) <= len(kept):
            n = kept[int(match.group(1)) - 1]
            problem = f"item {n}" + problem[match.end() :]
            by_row[n].problems.append(problem)
        out.append(problem)
    return out


def verdict_choices(known_checks: list[str]) -> list[tuple[str, str]]:
    """(verdict, what it means) for the form's suggestions."""
    kinds = {
        "no_violations": "no forbidden phrase of any kind",
        "empathy_when_needed": "empathy shown when the caller was upset (N/A otherwise)",
        "no_dead_air": "no long silence",
    }
    return [(f"check:{c}", f"the {c.replace('_', ' ')} check passed") for c in known_checks] + list(
        kinds.items()
    )
