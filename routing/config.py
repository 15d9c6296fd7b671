"""Hotline routing configuration (YAML): strategy, wrap-up, IVR choices → skills, relaxation steps, tiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from routing.model import RelaxStep
from routing.strategies import STRATEGY_NAMES

DEFAULT_TIERS = {1: "first line", 2: "second line", 3: "expert"}


class RoutingConfigError(ValueError):
    """The routing YAML is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class RoutingConfig:
    strategy: str
    wrap_up_s: float
    ivr: dict[str, dict[str, int]]
    steps: tuple[RelaxStep, ...]
    default_aht_s: float
    sl_target_s: float
    aht_sample_calls: int
    """How many of the latest answered calls the average handle time for wait estimates is taken over."""
    quality_window_days: float
    """Days of QA call scores averaged into an agent's quality for quality-weighted routing."""
    service_level_window_h: float
    """Hours of calls the real-time service level is computed over."""
    tiers: dict[int, str]
    """Agent tier → its name (1 is the first line); a call is escalated to a configured tier."""
    repeat_escalated_days: float
    """A caller whose call for the same need was escalated within this many days starts at the tier it
    reached (0: every call starts at tier 1)."""
    tier_skills: dict[int, dict[str, dict[str, int]]] = field(default_factory=dict)
    """Tier → skill a call needed before → what it needs at that tier (skill → minimum level): the tier's
    skill queue for an escalated call. A skill a tier does not list is needed at the same level."""

    def next_tier(self, tier: int) -> int | None:
        """The lowest configured tier above `tier`, None when there is none."""
        return min((t for t in self.tiers if t > tier), default=None)

    def skills_at_tier(self, tier: int, skills: dict[str, int]) -> dict[str, int]:
        """What a call needing `skills` needs once escalated to `tier` (`tier_skills`; where two skills
        map to the same one, the higher level)."""
        mapped = self.tier_skills.get(tier, {})
        need: dict[str, int] = {}
        for skill, level in skills.items():
            for name, at_tier in mapped.get(skill, {skill: level}).items():
                need[name] = max(need.get(name, 0), at_tier)
        return need


def load_routing_config(path: Path | None) -> RoutingConfig:
    """Parse a routing YAML (default: the packaged `hotline.yaml`)."""
    if path is None:
        raw = resources.files("routing").joinpath("hotline.yaml").read_text()
        source = "hotline.yaml"
    else:
        raw, source = path.read_text(), str(path)
    try:
        data: dict[str, Any] = yaml.safe_load(raw) or {}
        strategy = str(data.get("strategy", "longest-idle"))
        if strategy not in STRATEGY_NAMES:
            raise ValueError(f"unknown strategy {strategy!r}")
        ivr = {
            str(k): {str(s): int(v) for s, v in skills.items()} for k, skills in data.get("ivr", {}).items()
        }
        steps = tuple(
            RelaxStep(
                after_s=float(step["after_s"]),
                remove=frozenset(str(s) for s in step.get("remove", [])),
                add=tuple((str(s), int(v)) for s, v in step.get("add", {}).items()),
                widen=int(step.get("widen", 0)),
                languages=frozenset(str(lang) for lang in step.get("languages", [])),
            )
            for step in data.get("relax", [])
        )
        tiers = {int(k): str(v) for k, v in data.get("tiers", DEFAULT_TIERS).items()}
        if not tiers or min(tiers) != 1:
            raise ValueError("tiers must name tier 1 (the first line)")
        tier_skills = {
            int(tier): {str(s): {str(k): int(v) for k, v in need.items()} for s, need in by_skill.items()}
            for tier, by_skill in (data.get("tier_skills") or {}).items()
        }
        if unknown := sorted(set(tier_skills) - set(tiers)):
            raise ValueError(f"tier_skills names tiers that are not configured: {unknown}")
        if any(lvl < 1 or lvl > 5 for m in tier_skills.values() for n in m.values() for lvl in n.values()):
            raise ValueError("tier_skills levels must be 1 to 5")
        if any(b.after_s <= a.after_s for a, b in pairwise(steps)):
            raise ValueError("relax steps must have increasing after_s")
        return RoutingConfig(
            strategy=strategy,
            wrap_up_s=float(data.get("wrap_up_s", 0.0)),
            ivr=ivr,
            steps=steps,
            default_aht_s=float(data.get("default_aht_s", 180.0)),
            sl_target_s=float(data.get("sl_target_s", 20.0)),
            aht_sample_calls=int(data.get("aht_sample_calls", 200)),
            quality_window_days=float(data.get("quality_window_days", 90.0)),
            service_level_window_h=float(data.get("service_level_window_h", 24.0)),
            tiers=tiers,
            repeat_escalated_days=float(data.get("repeat_escalated_days", 7.0)),
            tier_skills=tier_skills,
        )
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RoutingConfigError(f"{source}: invalid routing config ({exc})") from exc
