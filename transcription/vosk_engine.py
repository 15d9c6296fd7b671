"""Vosk (Kaldi) recognizer: one Model per process, one KaldiRecognizer per channel decode.

Audio is fed at its native rate (Vosk resamples internally to the model's rate), in 0.5 s chunks, so a
long recording is decoded in bounded memory and word times come straight from the decoder.

Vosk cannot bias a free decode towards words; it can only restrict the vocabulary to a grammar. Script
phrases are therefore checked by a second, grammar-restricted pass over each utterance (`spot_phrases`).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import vosk

from transcription.audio import pcm16
from transcription.exceptions import ModelNotFoundError
from transcription.model_packages import model_label
from transcription.recognizer import FloatArray, Utterance, Word

_MODELS: dict[Path, vosk.Model] = {}
_MODELS_LOCK = threading.Lock()
CHUNK_S = 0.5
SPOT_PAD_S = 0.3  # audio kept around an utterance for the grammar pass: word times are tight

vosk.SetLogLevel(-1)


def load_vosk_model(model_path: Path) -> vosk.Model:
    """The process-wide Model for `model_path` (loaded on first use, then shared)."""
    key = model_path.resolve()
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is None:
            if not (key / "am").is_dir() and not (key / "final.mdl").exists():
                raise ModelNotFoundError(f"{model_path} is not a Vosk model directory (no am/ inside)")
            model = vosk.Model(str(key))
            _MODELS[key] = model
        return model


def _utterance(result: dict[str, Any]) -> Utterance | None:
    """An utterance from a Vosk result, plain or with n-best `alternatives` (best first)."""
    alternatives = result.get("alternatives")
    if alternatives:
        best = alternatives[0]
        # Alternatives carry lattice scores, not word confidences: the best one's share of the n-best
        # mass (a softmax over the scores) stands in for the confidence of its words.
        scores = [float(a.get("confidence", 0.0)) for a in alternatives]
        share = 1.0 / sum(math.exp(min(50.0, s - scores[0])) for s in scores)
        raw = [{**w, "conf": share} for w in best.get("result", [])]
        others = tuple(str(a.get("text", "")) for a in alternatives[1:] if a.get("text"))
    else:
        raw, others = result.get("result", []), ()
    words = tuple(
        Word(text=w["word"], start=float(w["start"]), end=float(w["end"]), conf=float(w.get("conf", 1.0)))
        for w in raw
    )
    if not words:
        return None
    return Utterance(
        start=words[0].start,
        end=words[-1].end,
        text=" ".join(w.text for w in words),
        words=words,
        confidence=float(np.mean([w.conf for w in words])),
        alternatives=others,
    )


class VoskRecognizer:
    """`Recognizer` backed by a Vosk model directory."""

    def __init__(self, model_path: Path, *, max_alternatives: int = 0) -> None:
        self.model_path = model_path
        self.max_alternatives = max_alternatives
        self.name = f"vosk:{model_label(model_path)}"
        self._model = load_vosk_model(model_path)

    @property
    def model(self) -> vosk.Model:
        """The shared Vosk model (streams open their own recognizer on it)."""
        return self._model

    def transcribe(
        self,
        samples: FloatArray,
        sample_rate: int,
        *,
        hints: Sequence[str] = (),
        phrases: Sequence[str] = (),
    ) -> list[Utterance]:
        pcm = pcm16(samples)
        utterances = self._decode(pcm, sample_rate)
        # A phrase with a word the model does not know can never be decoded: it is not listened for.
        spot = [
            p
            for p in dict.fromkeys(_plain(x) for x in (*hints, *phrases))
            if p and all(self._model.vosk_model_find_word(w) >= 0 for w in p.split())
        ]
        if not spot:
            return utterances
        spotted: list[Utterance] = []
        for utt in utterances:
            begin = max(0, int((utt.start - SPOT_PAD_S) * sample_rate))
            end = int((utt.end + SPOT_PAD_S) * sample_rate)
            heard = _plain(utt.text)
            said, found = spot_phrases(self._model, pcm[begin:end], sample_rate, spot, heard.split())
            if any(f" {p} " not in f" {heard} " for p in found):
                # The grammar pass's words become one more hypothesis: QA reads it like an n-best one and
                # marks what it finds only there as uncertain.
                utt = replace(utt, alternatives=(*utt.alternatives, said))
            spotted.append(utt)
        return spotted

    def _decode(self, pcm: npt.NDArray[np.int16], sample_rate: int) -> list[Utterance]:
        """Free decode of 16-bit `pcm` at `sample_rate` Hz, block by block."""
        rec = vosk.KaldiRecognizer(self._model, float(sample_rate))
        rec.SetWords(True)
        if self.max_alternatives > 0:
            rec.SetMaxAlternatives(self.max_alternatives)
        step = max(1, int(CHUNK_S * sample_rate))
        utterances: list[Utterance] = []
        for begin in range(0, pcm.size, step):
            if rec.AcceptWaveform(pcm[begin : begin + step].tobytes()):
                utt = _utterance(json.loads(rec.Result()))
                if utt:
                    utterances.append(utt)
        final = _utterance(json.loads(rec.FinalResult()))
        if final:
            utterances.append(final)
        return utterances


def _plain(text: str) -> str:
    """Lower-case words without punctuation, as Vosk vocabularies spell them."""
    return " ".join(re.findall(r"[\w']+", text.lower()))


def spot_phrases(
    model: vosk.Model,
    pcm: npt.NDArray[np.int16],
    sample_rate: int,
    phrases: Sequence[str],
    heard: Sequence[str],
) -> tuple[str, list[str]]:
    """What a decoder restricted to `phrases` *and* to the words it `heard` freely says for this audio
    (16-bit `pcm` at `sample_rate` Hz), and which of `phrases` that text contains.

    The heard words are the filler: without them a grammar forces every sound into some phrase (this
    model has no `[unk]`), so a phrase wins only where it explains the audio better than what the free
    decode heard. Every phrase word must be in the model's vocabulary.
    """
    grammar = list(dict.fromkeys([*phrases, *heard]))
    rec = vosk.KaldiRecognizer(model, float(sample_rate), json.dumps(grammar, ensure_ascii=False))
    rec.AcceptWaveform(pcm.tobytes())
    said = str(json.loads(rec.FinalResult()).get("text", ""))
    return said, [p for p in phrases if f" {p} " in f" {said} "]
