"""Held-out Chinese set B: deterministic per seed, labels that follow from what the turns say, clean pools
where they are meant to be clean, and wording of its own (none of its sentences is in the project's Chinese
intents or in set A's calls)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import opencc
import pytest

import bench.heldout_zh as set_a
import bench.heldout_zh_b as set_b
from bench import zh_b_wording as wording

ROOT = Path(__file__).resolve().parents[2]
SALUTATION = re.compile("您好|你好|上午好|欢迎致电|感谢致电")
NUMERAL = re.compile("[0-9零一二三四五六七八九十幺两]+")
DEFINITION = {"感谢您的来电", "谢谢您的来电"}
"""Words the dev set's Chinese label definitions quote (shared/dev-set/README.md): any set may say them."""
AGENT_POOLS = ("GREETINGS", "INDUSTRY", "CHECKS", "ASK", "HOLD", "OFFERS", "THANKS", "WISHES", "CLOSINGS")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _agent_pool(name: str) -> list[str]:
    pool = getattr(wording, name)
    if name == "INDUSTRY":  # the agent's part of it; problems and replies are the caller's
        return [s for biz in pool.values() for s in biz["work"]]
    return list(_strings(pool))


def test_generation_is_deterministic_per_seed(tmp_path: Path) -> None:
    first = set_b.write_transcripts(tmp_path / "a", 12, seed=5)
    again = set_b.write_transcripts(tmp_path / "b", 12, seed=5)
    other = set_b.write_transcripts(tmp_path / "c", 12, seed=6)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]
    assert [p.name for p in first] == [f"zhb-5-{i:03d}.json" for i in range(12)]


@pytest.mark.parametrize("seed", range(80))
def test_labels_follow_from_the_turns(seed: int) -> None:
    turns, labels = set_b.build_call(random.Random(seed))
    agent = [t for who, t, _ in turns if who == "agent"]
    caller = [t for who, t, _ in turns if who == "caller"]
    centre = str(labels["company"])
    assert turns[0][0] == "agent"
    first = agent[0]
    rest = first.replace(centre, "")
    elements = {
        "salutation": bool(SALUTATION.search(first)),
        "centre": centre in first,
        "number": bool(NUMERAL.search(rest)),
    }
    missing = {"no_salutation": "salutation", "no_company": "centre", "no_self": "number"}
    kind = labels["greeting_kind"]
    if kind == "full":
        assert all(elements.values())
    elif kind == "absent":
        assert not any(elements.values())
    else:
        assert not elements[missing[str(kind)]] and sum(elements.values()) == 2
    assert labels["greeting"] == (kind == "full")

    thanks = [t.format(c=centre) for t in wording.THANKS]
    last_two = "".join(agent[-2:])
    closing = {
        "offer": any(o in last_two for o in wording.OFFERS),
        "thanks": any(t in last_two for t in thanks),
        "bye": "再见" in agent[-1],
    }
    assert labels["closing"] == all(closing.values())
    gone = {"no_offer": "offer", "no_thanks": "thanks", "no_bye": "bye"}
    if labels["closing_kind"] in gone:
        assert [k for k, v in closing.items() if not v] == [gone[str(labels["closing_kind"])]]

    said = "".join(agent)
    ends_bye = re.sub(r"[。！，？\s]+$", "", agent[-1]).endswith("再见")
    plain_you = "你" in said.replace("你们", "")
    assert labels["musts"] == ("请" in said and "您" in said and not plain_you and ends_bye)

    found = {c for c, pool in wording.FORBIDDEN.items() if any(r in t for r in pool for t in agent)}
    assert labels["forbidden"] == sorted(found)
    assert labels["empathy"] == any(e in t for e in wording.EMPATHY for t in agent)

    pauses = [p for _, _, p in turns[1:]]
    assert labels["dead_air"] == any(p >= 10.0 for p in pauses)
    assert all(p < 8.5 or p >= 10.5 for p in pauses)
    assert caller[-1] in wording.CALLER_END[str(labels["caller_sentiment_end"])]


def test_a_set_of_sixty_has_every_kind_of_call(tmp_path: Path) -> None:
    labels = [json.loads(p.read_text())["labels"] for p in set_b.write_transcripts(tmp_path, 60, seed=1)]
    for key in ("greeting", "closing", "musts", "empathy", "dead_air"):
        assert {bool(lab[key]) for lab in labels} == {True, False}, key
    assert {c for lab in labels for c in lab["forbidden"]} == set(wording.FORBIDDEN)
    assert {lab["caller_sentiment_end"] for lab in labels} == {"pos", "neu", "neg"}
    assert {lab["greeting_kind"] for lab in labels} == set(wording.GREETINGS)


def test_pools_are_as_large_and_as_clean_as_they_say() -> None:
    assert all(len(pool) >= 12 for pool in wording.FORBIDDEN.values())
    assert all(6 <= len(v) <= 10 for k, v in wording.GREETINGS.items() if k != "absent")
    near_misses = [*_agent_pool("INDUSTRY"), *wording.CHECKS]
    assert len(set(near_misses)) >= 20
    remarks = list(_strings(wording.FORBIDDEN))
    assert len(set(remarks)) == len(remarks)
    for name in AGENT_POOLS:  # clean agent sentences: no plain 你, no apology, no remark, no stray 请-word
        for s in _agent_pool(name):
            assert "你" not in s.replace("你们", ""), s
            assert not re.search("抱歉|不好意思|理解|体谅|同情", s), s
            assert not re.search("申请|邀请|请假|请客", s), s
            assert not any(r in s for r in remarks), s
    assert all("再见" not in r for r in remarks)
    assert all(not re.search("抱歉|不好意思", r) for r in remarks)


def _plain(text: str, centres: list[str]) -> str:
    """A sentence with punctuation, the centres' names and numbers taken out (templates compare too)."""
    for centre in centres:
        text = text.replace(centre, "")
    text = re.sub(r"\{\w\}", "", text)
    return NUMERAL.sub("", re.sub(r"[\W_]+", "", text))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。！？；!?;\n]", text) if s.strip()]


def _theirs(tmp_path: Path) -> list[str]:
    """The project's Chinese intents and set A's calls (seeds 1 and 2), in simplified characters."""
    to_simplified = opencc.OpenCC("t2s")
    texts = [
        field
        for line in (ROOT / "qa" / "data" / "agent_intents_zh.tsv").read_text(encoding="utf-8").splitlines()
        for field in line.split("\t")
    ]
    for seed in (1, 2):
        for path in set_a.write_transcripts(tmp_path / f"a{seed}", 60, seed):
            texts += [to_simplified.convert(t["text"]) for t in json.loads(path.read_text())["turns"]]
    return texts


def test_wording_is_not_the_projects_or_set_as(tmp_path: Path) -> None:
    centres = [*wording.CENTRES.values(), *set_a.CENTRES]
    others = _theirs(tmp_path)
    their_sentences = {_plain(s, centres) for t in others for s in _sentences(t)}
    their_turns = [_plain(t, centres) for t in others]
    mine = {s for name in dir(wording) if name.isupper() for s in _strings(getattr(wording, name))}
    compared = {
        s: _plain(s, centres)
        for utterance in mine
        for s in _sentences(utterance)
        if len(_plain(s, centres)) >= 3 and _plain(s, centres) not in DEFINITION
    }
    repeated = sorted(
        s
        for s, plain in compared.items()
        if plain in their_sentences or (len(plain) >= 6 and any(plain in t for t in their_turns))
    )
    assert repeated == []  # only this set's sentences are shown: set A's wording stays unread
