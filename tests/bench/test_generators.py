"""The labelled-call generators of `make eval`: labels follow the dev-set definitions from what the turns
say, set B's and set D's wording is their own, the Asterisk prompts are what their transcripts say, and
(slow) the real rendering is deterministic and decodes."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from rapidfuzz import fuzz, process

import bench.calibration_calls as set_k
import bench.calibration_calls_l as set_l
import bench.calibration_calls_n as set_n
import bench.heldout_calls as set_a
import bench.heldout_calls_b as set_b
import bench.heldout_calls_c as set_c
import bench.heldout_calls_d as set_d
import bench.heldout_calls_e as set_e
import bench.heldout_calls_f as set_f
import bench.heldout_calls_g as set_g
import bench.heldout_calls_h as set_h
import bench.heldout_calls_i as set_i
import bench.heldout_calls_j as set_j
import bench.heldout_calls_m as set_m
from bench import asterisk_calls
from bench.callgen import Labels, Turn
from callqa.pipeline.augment import check_voices
from qa.intents_calibration import CALIBRATION_DATA
from tests.conftest import DEV_SET, callqa_ok

ROOT = Path(__file__).resolve().parents[2]
ASTERISK = pytest.mark.skipif(
    not asterisk_calls.TRANSCRIPTS.is_file(), reason="Asterisk prompts not installed (make system-deps)"
)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower().replace("'", " ")).split())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, tuple | list):
        for v in value:
            yield from _strings(v)


def _sentences(module: Any) -> list[str]:
    """Every sentence of a generator's wording pools, names filled in."""
    pools = [getattr(module, name) for name in dir(module) if name.isupper() and not name.endswith("VOICES")]
    return [
        s.format(company="Kestrel Rail", agent="Siobhan")
        for pool in pools
        for s in _strings(pool)
        if " " in s and not s.startswith("/")
    ]


def _listed_phrases() -> list[str]:
    """The forbidden-remark and empathy phrase lists' multi-word phrases, plain."""
    return [
        _plain(p.replace("<any>", ""))
        for name in ("forbidden_en.yaml", "empathy_en.yaml")
        for p in _strings(yaml.safe_load((ROOT / "qa" / "scripts" / name).read_text()))
        if isinstance(p, str) and " " in p
    ]


def _closest(sentences: list[str], others: list[str]) -> list[tuple[str, str, float]]:
    corpus = sorted({_plain(o) for o in others if o.strip()})
    near = []
    for s in sentences:
        match, score, _ = process.extractOne(_plain(s), corpus, scorer=fuzz.ratio)
        if score >= 85:
            near.append((s, match, score))
    return near


def test_set_b_wording_is_not_the_projects_or_set_as() -> None:
    assert _closest(_sentences(set_b), [*_sentences(set_a), *_training_rows()]) == []
    # Its remarks and apologies are worded past the phrase lists: finding them takes generalising.
    listed = _listed_phrases()
    remarks = [*_strings(set_b.FORBIDDEN), *set_b.EMPATHY]
    assert [(r, p) for r in remarks for p in listed if f" {p} " in f" {_plain(r)} "] == []


@pytest.mark.skipif(not (DEV_SET / "calls").is_dir(), reason="dev set not present (../shared/dev-set)")
def test_set_b_wording_is_not_the_dev_sets() -> None:
    dev = [t["text"] for f in (DEV_SET / "calls").glob("*.json") for t in json.loads(f.read_text())["turns"]]
    assert _closest(_sentences(set_b), dev) == []


def _training_rows() -> list[str]:
    # The calibration sentences are the tuning sets' own decoded sentences, never trained on.
    return [
        part
        for path in (ROOT / "qa" / "data").glob("*.tsv")
        if path.name != CALIBRATION_DATA
        for line in path.read_text().splitlines()
        for part in line.split("\t")[1:]
    ]


@pytest.mark.parametrize(
    ("generator", "others"),
    [
        (set_d, "ABC"),
        (set_e, "ABCD"),
        (set_f, "ABCDE"),
        (set_g, "ABCDEF"),
        (set_h, "ABCDEFG"),
        (set_i, "ABCDEFGH"),
        (set_j, "ABCDEFGHIKL"),
        (set_m, "ABCDEFGHIJKL"),
    ],
    ids=["D", "E", "F", "G", "H", "I", "J", "M"],
)
def test_untuned_set_wording_is_its_own(generator: Any, others: str) -> None:
    # Sets D, E and F are the checks nobody tunes on: none of their sentences is close to a training sentence
    # or an earlier set's, and no training sentence of three words or more sits inside one of their
    # sentences (set B's goodbyes reached the training data that way: "bye for now" inside "All the best,
    # bye for now.").
    rows = _training_rows()
    sets = {
        "A": set_a,
        "B": set_b,
        "C": set_c,
        "D": set_d,
        "E": set_e,
        "F": set_f,
        "G": set_g,
        "H": set_h,
        "I": set_i,
        "J": set_j,
        "K": set_k,
        "L": set_l,
    }
    other_sets = [s for key in others for s in _sentences(sets[key])]
    assert _closest(_sentences(generator), [*rows, *other_sets]) == []
    inside = {_plain(r) for r in rows if len(_plain(r).split()) >= 3}
    assert [(r, s) for s in map(_plain, _sentences(generator)) for r in inside if f" {r} " in f" {s} "] == []
    listed = _listed_phrases()
    remarks = [*_strings(generator.FORBIDDEN), *generator.EMPATHY]
    assert [(r, p) for r in remarks for p in listed if f" {p} " in f" {_plain(r)} "] == []


@pytest.mark.skipif(not (DEV_SET / "calls").is_dir(), reason="dev set not present (../shared/dev-set)")
@pytest.mark.parametrize(
    "generator",
    [set_d, set_e, set_f, set_g, set_h, set_i, set_j, set_m],
    ids=["D", "E", "F", "G", "H", "I", "J", "M"],
)
def test_untuned_set_wording_is_not_the_dev_sets(generator: Any) -> None:
    dev = [t["text"] for f in (DEV_SET / "calls").glob("*.json") for t in json.loads(f.read_text())["turns"]]
    assert _closest(_sentences(generator), dev) == []


def _pauses_and_texts(turns: list[Turn]) -> tuple[list[float], list[str], list[str]]:
    return (
        [p for _, _, p in turns[1:]],
        [t for who, t, _ in turns if who == "agent"],
        [t for who, t, _ in turns if who == "caller"],
    )


def _check_common(turns: list[Turn], labels: Labels, mood_pools: list[dict[str, Any]]) -> None:
    pauses, _, caller = _pauses_and_texts(turns)
    # dead air: a silence of >= 10 s; the near misses stay clear of the line (clip tails add < 1 s)
    assert labels["dead_air"] == any(p >= 10.0 for p in pauses)
    assert all(p < 8.5 or p >= 10.5 for p in pauses)
    # end sentiment: how the caller sounds in their last turn
    mood = str(labels["caller_sentiment_end"])
    assert any(caller[-1] in pool[mood] for pool in mood_pools)


def test_set_c_wording_stays_out_of_the_training_data() -> None:
    # Set C is tuned on call by call; it only keeps measuring generalisation while its sentences are not
    # what the classifiers learn from.
    assert _closest(_sentences(set_c), _training_rows()) == []


@pytest.mark.parametrize(
    ("generator", "earlier"),
    [(set_k, ()), (set_l, (set_k,)), (set_n, (set_k, set_l, set_i, set_j))],
    ids=["K", "L", "N"],
)
def test_calibration_set_wording_is_its_own(generator: Any, earlier: tuple[Any, ...]) -> None:
    # Sets K, L and N calibrate the intent model's certainty (bench.remark_calibration): they measure the
    # model on wording it never learned, each apart from the others (the certainty point must hold with any
    # one left out), and do not echo the held-out sets' wording. A near sentence of a held-out set is only
    # counted, not shown: nobody tuning here reads their pools.
    rows = _training_rows()
    tuning = [s for module in (set_a, set_c, set_f, set_g, *earlier) for s in _sentences(module)]
    assert _closest(_sentences(generator), [*rows, *tuning]) == []
    held_out = [s for module in (set_b, set_d, set_e, set_h, set_i, set_j, set_m) for s in _sentences(module)]
    assert len(_closest(_sentences(generator), held_out)) == 0
    inside = {_plain(r) for r in rows if len(_plain(r).split()) >= 3}
    assert [(r, s) for s in map(_plain, _sentences(generator)) for r in inside if f" {r} " in f" {s} "] == []
    listed = _listed_phrases()
    remarks = [*_strings(generator.FORBIDDEN), *generator.EMPATHY]
    assert [(r, p) for r in remarks for p in listed if f" {p} " in f" {_plain(r)} "] == []


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize(
    "generator",
    [set_b, set_c, set_d, set_e, set_f, set_g, set_h, set_i, set_j, set_m, set_k, set_l, set_n],
    ids=["B", "C", "D", "E", "F", "G", "H", "I", "J", "M", "K", "L", "N"],
)
def test_labels_follow_from_the_turns(generator: Any, seed: int) -> None:
    turns, labels = generator.build_call(random.Random(seed))
    fill = {"company": labels["company"], "agent": labels["agent_name"]}
    _, agent, _ = _pauses_and_texts(turns)
    full = {g.format(**fill) for g in generator.GREETINGS["full"]}
    assert labels["greeting"] == (turns[0][1] in full)  # a late greeting comes after an opener
    found = {c for c, pool in generator.FORBIDDEN.items() if any(t in pool for t in agent)}
    assert set(cast(list[str], labels["forbidden"])) == found
    assert labels["empathy"] == any(t in generator.EMPATHY for t in agent)
    last = " ".join(agent[-3:])
    has = [
        any(o in last for o in generator.OFFERS),
        any(t.format(**fill) in last for t in generator.THANKS),
        any(g in last for g in generator.GOODBYES),
    ]
    assert labels["closing"] == all(has)
    _check_common(turns, labels, [generator.CALLER_MOOD, generator.CALLER_DONE, generator.CALLER_BYE])


@ASTERISK
@pytest.mark.parametrize("seed", range(30))
def test_asterisk_labels_follow_from_the_prompts(seed: int) -> None:
    voice = asterisk_calls.VOICE
    turns, labels = asterisk_calls.build_call(random.Random(seed))
    _, agent, _ = _pauses_and_texts(turns)
    apologies = [voice.say(key) for key in asterisk_calls.APOLOGIES]
    assert labels["empathy"] == any(t in apologies for t in agent)
    assert (labels["greeting"], labels["closing"], labels["forbidden"]) == (False, False, [])
    last = " ".join(agent[-2:])
    if labels["closing_kind"] == "no_offer":
        assert "Thank you for calling" in last and "Goodbye" in last
    _check_common(turns, labels, [asterisk_calls.CALLER_MOOD, asterisk_calls.CALLER_BYE])
    for text in agent:
        voice(text)  # every agent turn is spoken by recorded prompts (raises otherwise)


@ASTERISK
def test_prompt_cuts_keep_words_of_the_official_transcripts() -> None:
    voice = asterisk_calls.VOICE
    for key, prompt in asterisk_calls.PROMPTS.items():
        text, audio = voice.text(key), voice.audio(key)
        assert len(audio) > 0.3 * 8000, key
        if prompt.text is not None:
            assert text == prompt.text
    turn = voice.say("hello", "welcome_mail")
    assert turn == "Hello. Welcome to Comedian Mail."
    gap = int(0.15 * 8000)
    assert len(voice(turn)) == len(voice.audio("hello")) + gap + len(voice.audio("welcome_mail"))


def _generate(module: str, out: Path, n: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--n", str(n), "--seed", "3", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr


@ASTERISK
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (make system-deps)")
@pytest.mark.parametrize(
    "generator",
    [set_a, set_b, set_c, set_d, set_e, set_f, set_g, set_h, set_i, set_j, set_m, set_k, set_l, set_n],
    ids=["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "M", "K", "L", "N"],
)
def test_every_espeak_voice_of_a_generator_is_installed(generator: Any) -> None:
    # espeak-ng's variant names are case-sensitive file names ("en-gb+Andy", "en-us+linda"); a wrong one
    # stops a generator only after it has written calls.
    voices = [*generator.AGENT_VOICES, *generator.CALLER_VOICES]
    check_voices([v for v in voices if isinstance(v, str)])


def test_generated_calls_are_deterministic_and_decode(tmp_path: Path) -> None:
    """Real piper + espeak-ng + recorded prompts, real decoding: two calls of set B (a piper agent and an
    espeak-ng agent) and one Asterisk call."""
    calls, again = tmp_path / "calls", tmp_path / "again"
    for out in (calls, again):
        _generate("bench.heldout_calls_b", out, 2)
    _generate("bench.asterisk_calls", calls, 1)
    for wav in again.glob("*.wav"):
        assert wav.read_bytes() == (calls / wav.name).read_bytes(), wav.name
    meta = [json.loads(f.read_text()) for f in sorted(calls.glob("*.json"))]
    assert [m["voices"]["agent"] for m in meta] == ["PromptVoice", "piper-joe@0.95", "en-gb-x-rp+linda"]
    figures = json.loads(callqa_ok("eval", str(calls), "--json", timeout=900).stdout)
    assert figures["calls"] == 3
    # The words come back: a broken render (silence, wrong rate, swapped legs) gives a rate near 1. The
    # agents here decode at about 0.1; the callers' accented espeak-ng voices at about 0.6 (tiny.en).
    assert figures["wer"]["agent"] < 0.3
    assert figures["wer"]["caller"] < 0.8
