"""The routing YAML's tier skill map: what an escalated call needs at each tier's skill queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.config import RoutingConfigError, load_routing_config


def test_the_packaged_tiers_have_skill_queues() -> None:
    config = load_routing_config(None)
    assert config.skills_at_tier(2, {"billing": 2}) == {"billing": 4}
    assert config.skills_at_tier(3, {"technical": 3, "sales": 1}) == {"technical": 5, "sales": 1}
    assert config.skills_at_tier(2, {"sales": 2}) == {"sales": 2}  # not listed: the same level


def test_a_skill_may_map_to_several_and_two_skills_to_one(tmp_path: Path) -> None:
    path = tmp_path / "hotline.yaml"
    path.write_text(
        "tiers: {1: first, 2: second}\n"
        "tier_skills: {2: {billing: {accounts: 3, disputes: 2}, refunds: {accounts: 4}}}\n"
    )
    config = load_routing_config(path)
    assert config.skills_at_tier(2, {"billing": 1, "refunds": 1}) == {"accounts": 4, "disputes": 2}
    assert config.skills_at_tier(1, {"billing": 1}) == {"billing": 1}


@pytest.mark.parametrize(
    ("tier_skills", "problem"),
    [
        ("{4: {billing: {billing: 5}}}", "not configured: [4]"),
        ("{2: {billing: {billing: 6}}}", "1 to 5"),
        ("{2: [billing]}", "invalid routing config"),
    ],
)
def test_a_bad_tier_skill_map_is_refused_with_its_file(
    tmp_path: Path, tier_skills: str, problem: str
) -> None:
    path = tmp_path / "hotline.yaml"
    path.write_text(f"tiers: {{1: first, 2: second}}\ntier_skills: {tier_skills}\n")
    with pytest.raises(RoutingConfigError, match=r"hotline\.yaml") as raised:
        load_routing_config(path)
    assert problem in str(raised.value)
