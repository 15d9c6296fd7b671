"""Premature closing ticks and closing recall on real audio: labelled calls decoded live (both legs, as
fast as they decode) through `callqa.pipeline.live`. A closing tick is premature when the words it rests on
end before the offline closing window of the call (the agent's last 3 reference turns, or their last 30 s);
the closing phase opened early when it opened before that window. Recall: closing elements ticked of those
the labels say were said (`closing_kind`: full = offer, thanks, goodbye; no_offer = thanks, goodbye;
no_thanks = offer, goodbye); a tick of an element the labels say was not said is counted as unlabelled.

    python bench/assist_premature.py --limit 10
    python bench/assist_premature.py --dir data/heldout-b --limit 40
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from callqa.pipeline.analyzer import CallAnalyzer
from callqa.pipeline.live import LEGS, SerialRecognizer, live_recognizer, open_live_call
from callqa.settings import get_settings
from transcription.audio import load_call_audio, split_legs

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "dev-set"
STEP_S = 0.02
SAID = {
    "full": {"offer_help", "thanks", "goodbye"},
    "no_offer": {"thanks", "goodbye"},
    "no_thanks": {"offer_help", "goodbye"},
    "absent": set(),
}
"""The closing elements a call's `closing_kind` label says the agent said (dev-set README)."""


def closing_window_start(turns: list[dict[str, object]]) -> float:
    """Start (s) of the offline closing window from the reference turns (last 3 agent turns or last 30 s)."""
    agent = [t for t in turns if t["speaker"] == "agent"]
    last_end = float(str(agent[-1]["end"]))
    starts = [float(str(t["start"])) for t in agent]
    return min(starts[-3:] + [s for s in starts if s >= last_end - 30])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=10, help="first N English dev-set calls")
    parser.add_argument("--dir", type=Path, default=DEV_SET / "calls")
    args = parser.parse_args()
    analyzer = CallAnalyzer(get_settings())
    recognizer = SerialRecognizer(live_recognizer(analyzer.settings))
    calls = premature = early_phase = ticks = 0
    labelled: dict[str, int] = {}
    found: dict[str, int] = {}
    unlabelled = 0
    for meta in sorted(args.dir.glob("*.json"))[: args.limit]:
        record = json.loads(meta.read_text())
        if record.get("language", "en") != "en":
            continue
        audio = load_call_audio(meta.with_suffix(".wav"))
        legs = split_legs(audio)
        call = open_live_call(
            analyzer,
            recognizer,
            sample_rate=audio.sample_rate,
            company=record["labels"].get("company"),
            agent_name=record["labels"].get("agent_name"),
        )
        step = int(STEP_S * audio.sample_rate)
        updates = []
        for begin in range(0, max(leg.size for leg in legs.values()), step):
            for leg in LEGS:
                if leg in legs:
                    updates += call.feed(leg, legs[leg][begin : begin + step])
        updates += call.finish()
        window = closing_window_start(record["turns"])
        opened = next((u.at for u in updates if u.closing_phase), None)
        closing = [e for e in updates[-1].checklist if e.check == "closing" and e.ticked]
        early = [e for e in closing if e.at is not None and e.at < window]
        calls += 1
        ticks += len(closing)
        premature += len(early)
        early_phase += int(opened is not None and opened < window)
        said = SAID[record["labels"]["closing_kind"]]
        ticked = {e.element for e in closing}
        for element in said:
            labelled[element] = labelled.get(element, 0) + 1
            found[element] = found.get(element, 0) + int(element in ticked)
        unlabelled += len(ticked - said)
        flag = " PREMATURE " + ", ".join(f"{e.element}@{e.at}" for e in early) if early else ""
        missed = " missed " + ", ".join(sorted(said - ticked)) if said - ticked else ""
        print(
            f"{meta.stem}: closing window from {window:.1f} s, phase opened at {opened}, "
            f"{len(closing)} closing ticks{flag}{missed}",
            flush=True,
        )
    per_element = ", ".join(f"{e} {found[e]}/{labelled[e]}" for e in sorted(labelled))
    print(
        f"{calls} calls: {ticks} closing ticks, {premature} premature; closing phase opened early in "
        f"{early_phase}; recall {sum(found.values())}/{sum(labelled.values())} labelled elements "
        f"({per_element}); {unlabelled} ticks of elements not labelled as said"
    )


if __name__ == "__main__":
    main()
