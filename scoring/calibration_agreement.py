"""Agreement across a calibration set (several calls, each scored blind by the same reviewers): pure maths,
no database.

Per call and item the key is the expert's verdict, else the reviewers' majority (none on a tie), as in one
session (scoring.calibration.compute_results). Across the set:
- per reviewer, and for the machine beside them: the share of keyed (call, item) verdicts equal to the
  key, Cohen's kappa against the key over them (scikit-learn's `cohen_kappa_score`), and how far their
  0–100 total of each call is from the key's total (mean signed and mean absolute difference, points);
- per item: the share of reviewers' verdicts equal to the key over the calls, Fleiss' kappa over the calls
  (subjects: calls, raters: the reviewers who scored each), and whether the machine matched the key;
- overall: Fleiss' kappa over every (call, item) and the mean pairwise Cohen's kappa (Light's kappa).

Fleiss' kappa is computed here (`fleiss_kappa`): no maintained implementation is installed (statsmodels
has one but brings pandas and patsy); it is checked against the worked example of Fleiss (1971).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from statistics import mean

from sklearn.metrics import cohen_kappa_score

from scoring.scorecard import Scorecard, score_verdicts

VERDICTS = ("pass", "fail", "na")
MACHINE = 0
"""The machine's id in `RaterSummary` (user ids start at 1)."""


@dataclass(frozen=True)
class CallVerdicts:
    """One call of the set: each reviewer's verdicts (user id -> item -> verdict) and the machine's."""

    call_id: int
    reviewers: Mapping[int, Mapping[str, str]]
    machine: Mapping[str, str]


@dataclass(frozen=True)
class RaterSummary:
    """A reviewer (or the machine, `rater_id` MACHINE) against the key across the set."""

    rater_id: int
    compared: int
    """Keyed (call, item) verdicts of theirs."""
    agreement: float | None
    """Share (0–1) of them equal to the key; None when none is keyed."""
    kappa: float | None
    """Cohen's kappa against the key over them; None when undefined (one category only) or the expert."""
    total_bias: float | None
    """Mean of (their 0–100 total − the key's total) over the calls where every item has a key (points)."""
    total_deviation: float | None
    """Mean absolute difference of those totals (points)."""
    calls: int
    """Calls their totals were compared on."""


@dataclass(frozen=True)
class ItemSummary:
    item: str
    keyed_calls: int
    """Calls with a key for this item."""
    agreement: float | None
    """Share (0–1) of reviewers' verdicts on keyed calls equal to the key."""
    fleiss_kappa: float | None
    """Over the calls scored by two or more reviewers; None when undefined."""
    machine_agreement: float | None
    """Share (0–1) of keyed calls where the machine's verdict is the key."""


@dataclass(frozen=True)
class SetSummary:
    raters: list[RaterSummary]
    """Every reviewer who submitted, by user id, then the machine."""
    items: list[ItemSummary]
    fleiss_kappa: float | None
    """Over every (call, item) scored by two or more reviewers."""
    pairwise_kappa: float | None
    """Mean Cohen's kappa over every pair of reviewers, over the (call, item) both scored."""


def fleiss_kappa(subjects: Sequence[Mapping[str, int]]) -> float | None:
    """Fleiss' kappa of subjects rated into categories: per subject, category -> raters who chose it. A
    subject may have any number n_i >= 2 of raters (the mean of the per-subject agreements P_i is taken,
    and category shares p_j over all ratings); subjects with fewer are left out. None when undefined: no
    subject left, or every rating in one category (chance agreement P_e = 1)."""
    rated = [s for s in subjects if sum(s.values()) >= 2]
    if not rated:
        return None
    total = sum(sum(s.values()) for s in rated)
    shares = Counter[str]()
    for s in rated:
        shares.update(s)
    p_e = sum((n / total) ** 2 for n in shares.values())
    if p_e >= 1.0:
        return None
    p_bar = mean(
        (sum(c * c for c in s.values()) - sum(s.values())) / (sum(s.values()) * (sum(s.values()) - 1))
        for s in rated
    )
    return (p_bar - p_e) / (1.0 - p_e)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """scikit-learn's Cohen's kappa of two raters' verdicts; None when undefined (nothing rated, or one
    category only on both sides: chance agreement 1)."""
    if not a or len(set(a) | set(b)) < 2:
        return None
    return float(cohen_kappa_score(list(a), list(b), labels=list(VERDICTS)))


def call_keys(call: CallVerdicts, expert_id: int | None, items: Sequence[str]) -> dict[str, str | None]:
    """Per item, the expert's verdict when they scored the call, else the majority's (None on a tie)."""
    keys: dict[str, str | None] = {}
    for item in items:
        given = [v[item] for v in call.reviewers.values() if item in v]
        if expert_id is not None and item in call.reviewers.get(expert_id, {}):
            keys[item] = call.reviewers[expert_id][item]
            continue
        ranked = Counter(given).most_common()
        won = ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1])
        keys[item] = ranked[0][0] if won else None
    return keys


def _total(verdicts: Mapping[str, str | None], card: Scorecard) -> float:
    as_bool = {i: {"pass": True, "fail": False}.get(v or "na") for i, v in verdicts.items()}
    return score_verdicts(as_bool, card).total


def _rater(
    rater_id: int,
    calls: Sequence[CallVerdicts],
    keys: Mapping[int, Mapping[str, str | None]],
    card: Scorecard,
    expert_id: int | None,
) -> RaterSummary:
    items = [i.id for i in card.items]
    mine: list[str] = []
    key: list[str] = []
    diffs: list[float] = []
    for call in calls:
        given = call.machine if rater_id == MACHINE else call.reviewers.get(rater_id)
        if given is None:
            continue
        for item in items:
            k = keys[call.call_id][item]
            if k is not None and item in given:
                mine.append(given[item])
                key.append(k)
        call_key = keys[call.call_id]
        if all(call_key[i] is not None for i in items) and all(i in given for i in items):
            diffs.append(_total(given, card) - _total(call_key, card))
    return RaterSummary(
        rater_id=rater_id,
        compared=len(mine),
        agreement=sum(m == k for m, k in zip(mine, key, strict=True)) / len(mine) if mine else None,
        kappa=None if rater_id == expert_id else cohen_kappa(mine, key),
        total_bias=mean(diffs) if diffs else None,
        total_deviation=mean(abs(d) for d in diffs) if diffs else None,
        calls=len(diffs),
    )


def summarise_set(calls: Sequence[CallVerdicts], expert_id: int | None, card: Scorecard) -> SetSummary:
    """The set's agreement figures (see the module docstring); the machine's figures are beside the
    reviewers', never part of the key or of the kappas between reviewers."""
    items = [i.id for i in card.items]
    keys = {c.call_id: call_keys(c, expert_id, items) for c in calls}
    reviewer_ids = sorted({u for c in calls for u in c.reviewers})
    raters = [_rater(u, calls, keys, card, expert_id) for u in [*reviewer_ids, MACHINE]]

    item_rows = []
    for item in items:
        keyed = [c for c in calls if keys[c.call_id][item] is not None]
        votes = [v[item] == keys[c.call_id][item] for c in keyed for v in c.reviewers.values() if item in v]
        machine = [c.machine.get(item, "na") == keys[c.call_id][item] for c in keyed]
        item_rows.append(
            ItemSummary(
                item=item,
                keyed_calls=len(keyed),
                agreement=sum(votes) / len(votes) if votes else None,
                fleiss_kappa=fleiss_kappa([_tally(c, item) for c in calls]),
                machine_agreement=sum(machine) / len(machine) if machine else None,
            )
        )

    pairs = []
    for a, b in combinations(reviewer_ids, 2):
        shared = [
            (c.reviewers[a][i], c.reviewers[b][i])
            for c in calls
            if a in c.reviewers and b in c.reviewers
            for i in items
            if i in c.reviewers[a] and i in c.reviewers[b]
        ]
        k = cohen_kappa([x for x, _ in shared], [y for _, y in shared])
        if k is not None:
            pairs.append(k)
    return SetSummary(
        raters=raters,
        items=item_rows,
        fleiss_kappa=fleiss_kappa([_tally(c, i) for c in calls for i in items]),
        pairwise_kappa=mean(pairs) if pairs else None,
    )


def _tally(call: CallVerdicts, item: str) -> Counter[str]:
    return Counter(v[item] for v in call.reviewers.values() if item in v)
