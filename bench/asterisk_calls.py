"""Labelled calls whose agent leg is real recorded human speech: the Asterisk core prompts (Debian
asterisk-core-sounds-en-wav, one professional speaker, 8 kHz) with their official transcripts
(asterisk-core-sounds-en, core-sounds-en.txt.gz); the caller leg is synthetic (espeak-ng voices no other
set uses). Both legs go through the dev set's phone line.

The prompts fix what an agent can say, and the labels follow from which prompts a call uses, by the
dev-set README definitions. No prompt introduces a speaker or offers further help, so no call here has a
compliant greeting or closing: "Thank you for calling Super Awesome Company …" is a greeting without
self-identification (`no_self`), and "Thank you for calling … Goodbye!" a closing without an offer
(`no_offer`); a closing that is only "Goodbye." has kind `goodbye_only` (label False as well). The agent's
name is given to the analyzer (Allison, the speaker of the prompts) as the worker would, though she never
says it. What the set measures: verdicts stated on real speech, failures that must be stated as failures,
holds and transfers that keep ownership ("Please hold while I try that extension."), apologies ("I'm
sorry, but I was unable to locate the person you are calling" is a polite refusal and an apology: empathy,
not blame), no forbidden remark anywhere (every one found is false), dead air during holds.
Usage (from the repository root; needs `make system-deps`):
    python -m bench.asterisk_calls [--n 24] [--seed 1] [--out data/asterisk]
    callqa eval data/asterisk
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import soundfile as sf

from bench.callgen import Labels, Turn, run_generator
from callqa.pipeline.augment import PHONE_SR, AugmentError
from transcription.recognizer import FloatArray

SOUNDS = Path("/usr/share/asterisk/sounds/en")
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
AGENT_NAME = "Allison"
IVR = "Super Awesome Company"
MAIL = "Comedian Mail"


@dataclass(frozen=True)
class Prompt:
    """A prompt file, or the part of it before `end_s` / from `start_s` (s) whose words are `text`."""

    name: str
    text: str | None = None  # None: the whole official transcript
    start_s: float = 0.0
    end_s: float | None = None


# Cut points sit in the pauses between sentences (found with librosa.effects.split; each cut decoded by
# whisper tiny.en to the words given here when it was written).
PROMPTS = {
    "ivr_thanks": Prompt(
        "basic-pbx-ivr-main",
        "Thank you for calling Super Awesome Company, Waldo's premier provider of perfect products.",
        end_s=6.4,
    ),
    "hello": Prompt("hello"),
    "welcome_mail": Prompt("vm-newuser", "Welcome to Comedian Mail.", end_s=2.15),
    "one_moment": Prompt("one-moment-please"),
    "hold_extension": Prompt("transfer"),
    "hold_connect": Prompt("pls-hold-while-try"),
    "hold_party": Prompt(
        "priv-introsaved", "Please hold, while I attempt to connect you with your party!", start_s=1.0
    ),
    "wait_connect": Prompt("vm-dialout"),
    "locate": Prompt("followme/status"),
    "patience": Prompt("queue-thankyou"),
    "unable": Prompt("followme/sorry"),
    "sorry_problems": Prompt("sorry-youre-having-problems"),
    "im_sorry": Prompt("im-sorry"),
    "saved": Prompt("vm-msgsaved"),
    "password": Prompt("vm-passchanged"),
    "forwarded": Prompt("vm-msgforwarded"),
    "goodbye": Prompt("goodbye"),
    "goodbye_demo": Prompt("demo-thanks", "Goodbye.", end_s=1.1),
}
APOLOGIES = ("unable", "sorry_problems", "im_sorry")
HOLDS = ("hold_extension", "hold_connect", "hold_party", "wait_connect", "locate")
ACCOUNT = ("saved", "password", "forwarded")
FORBIDDEN: dict[str, tuple[str, ...]] = {}
"""No prompt is a forbidden remark: the calls' agent sentences are real recorded speech labelled none, a
calibration source of false alarms for model-only remarks (`bench.remark_calibration`)."""

CALLER_VOICES = ("en-gb-scotland+belinda", "en-us+david", "en-gb-x-gbclan+edward", "en-gb-x-rp+iven")
PROBLEMS = {
    IVR: (
        "Hi, I'm trying to reach someone in accounts about an invoice.",
        "Could you put me through to the sales office please?",
    ),
    MAIL: (
        "I left a message last week and nobody has got back to me.",
        "I'd like to reset the password on my mailbox.",
    ),
}
CALLER_WAITS = ("Sure, I'll wait.", "Okay, no rush.")
CALLER_MOOD = {
    "neg": ("This is hopeless, I'll try again tomorrow.", "Unbelievable, the same thing happened last time."),
    "neu": ("Alright, I'll wait for the call back.", "Okay, I'll check my inbox later."),
    "pos": ("Perfect, thanks for sorting that.", "Great, that's exactly what I needed."),
}
CALLER_BYE = {"neg": ("Not impressed, bye.",), "neu": ("Okay, bye.",), "pos": ("Lovely, thanks, bye.",)}


class PromptVoice:
    """The agent's `Voice`: a turn's text is one or more prompt texts joined by spaces, spoken by the
    recorded prompts with 0.15 s between them."""

    @cached_property
    def _transcripts(self) -> dict[str, str]:
        if not TRANSCRIPTS.is_file() or not SOUNDS.is_dir():
            raise AugmentError("the Asterisk prompts are not installed (make system-deps installs them)")
        with gzip.open(TRANSCRIPTS, "rt", encoding="utf-8", errors="replace") as listing:
            lines = listing.read().splitlines()
        return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines) if v}

    def text(self, key: str) -> str:
        """The words of prompt `key`: the official transcript, or the part of it a cut keeps."""
        prompt = PROMPTS[key]
        official = self._transcripts[prompt.name]
        if prompt.text is None:
            return official
        if not (official.startswith(prompt.text) or official.endswith(prompt.text)):
            raise AugmentError(f"{prompt.name}: {prompt.text!r} is not part of {official!r}")
        return prompt.text

    def audio(self, key: str) -> FloatArray:
        prompt = PROMPTS[key]
        samples, rate = sf.read(SOUNDS / f"{prompt.name}.wav", dtype="float32")
        if rate != PHONE_SR:
            raise AugmentError(f"{prompt.name}.wav is {rate} Hz, not {PHONE_SR}")
        end = None if prompt.end_s is None else int(prompt.end_s * rate)
        return np.asarray(samples[int(prompt.start_s * rate) : end], dtype=np.float32)

    @cached_property
    def _by_text(self) -> dict[str, str]:
        return {self.text(key): key for key in PROMPTS}

    def say(self, *keys: str) -> str:
        """The turn text for prompts `keys` (what the voice then speaks)."""
        return " ".join(self.text(key) for key in keys)

    def __call__(self, text: str) -> FloatArray:
        parts: list[FloatArray] = []
        rest = text
        while rest:
            # Longest first: "Goodbye!" must not be read as a shorter prompt's text.
            longest_first = sorted(self._by_text, key=len, reverse=True)
            match = next((t for t in longest_first if rest.startswith(t)), None)
            if match is None:
                raise AugmentError(f"no recorded prompt says {rest!r}")
            parts += [self.audio(self._by_text[match]), np.zeros(int(0.15 * PHONE_SR), dtype=np.float32)]
            rest = rest[len(match) :].lstrip()
        return np.concatenate(parts[:-1])


VOICE = PromptVoice()


def build_call(rng: random.Random) -> tuple[list[Turn], Labels]:
    """A call's turns and its labels (dev-set format)."""
    company = rng.choice((IVR, MAIL))
    greeting = rng.choices(["no_self", "absent"], [4, 1])[0]
    # Only the IVR prompt thanks the caller for calling, and it names its own company.
    closings = ["no_offer", "goodbye_only", "absent"] if company == IVR else ["goodbye_only", "absent"]
    closing = rng.choice(closings)
    apology = rng.random() < 0.45
    hold = rng.random() < 0.6
    hold_dead_air = hold and rng.random() < 0.6
    mood = rng.choice(list(CALLER_MOOD))

    def pause() -> float:
        return round(rng.uniform(0.4, 1.2), 2)

    turns: list[Turn] = []
    if greeting == "absent":
        turns.append(("agent", VOICE.say("one_moment"), 0.5))
    elif company == IVR:
        turns.append(("agent", VOICE.say("ivr_thanks"), 0.5))
    else:
        turns.append(("agent", VOICE.say("hello", "welcome_mail"), 0.5))
    turns.append(("caller", rng.choice(PROBLEMS[company]), pause()))
    if hold:
        turns.append(("agent", VOICE.say(rng.choice(HOLDS)), pause()))
        turns.append(("caller", rng.choice(CALLER_WAITS), pause()))
        silence = rng.uniform(11.0, 14.0) if hold_dead_air else rng.uniform(6.5, 8.0)
        turns.append(("agent", VOICE.say("patience"), round(silence, 2)))
    if apology:
        turns.append(("agent", VOICE.say(rng.choice(APOLOGIES)), pause()))
    turns.append(("agent", VOICE.say(rng.choice(ACCOUNT)), pause()))
    turns.append(("caller", rng.choice(CALLER_MOOD[mood]), pause()))
    goodbye = VOICE.say(rng.choice(("goodbye", "goodbye_demo")))
    if closing == "no_offer":
        if rng.random() < 0.5:
            turns.append(("agent", f"{VOICE.say('ivr_thanks')} {goodbye}", pause()))
        else:  # spread over two agent turns, the caller's goodbye between them
            turns.append(("agent", VOICE.say("ivr_thanks"), pause()))
            turns.append(("caller", rng.choice(CALLER_BYE[mood]), pause()))
            turns.append(("agent", goodbye, pause()))
    elif closing == "goodbye_only":
        turns.append(("agent", goodbye, pause()))
    labels: Labels = {
        "company": company,
        "agent_name": AGENT_NAME,
        "greeting": False,
        "greeting_kind": greeting,
        "empathy": apology,
        "forbidden": [],
        "dead_air": hold_dead_air,
        "caller_sentiment_end": mood,
        "closing": False,
        "closing_kind": closing,
    }
    return turns, labels


def main() -> None:
    run_generator(
        __doc__,
        prefix="asterisk",
        default_out=Path("data/asterisk"),
        default_n=24,
        build_call=build_call,
        agent_voices=(VOICE,),
        caller_voices=CALLER_VOICES,
    )


if __name__ == "__main__":
    main()
