"""faster-whisper (CTranslate2) recognizer: one model per process, VAD on, hallucination guards.

Whisper models need 16 kHz input, so telephone audio is resampled once per channel here.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import librosa
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps

from transcription.model_packages import model_label
from transcription.recognizer import FloatArray, Utterance, Word

WHISPER_SR = 16000
WINDOW_S = 30.0  # whisper's input window
TAIL_S = 1.0  # speech left after the last decoded word that is worth another window (s)
PAD_S = 1.0  # audio kept around speech regions: VAD marks onsets late and clipped first words are lost
THIN_MIN_S = 1.5  # shorter speech regions are not checked for missing words (a "yes" is one word)
THIN_WORDS_PER_S = 1.0  # fewer words per second of speech than this means whisper dropped some
EDGE_S = 0.2  # a word whose middle is this close outside a region still belongs to it (s)
JOIN_S = 0.05  # a word starting this close after the word before it continues that word's speech (s)
TRAIL_S = 0.5  # how far past a region's end such a continuing word may start (s)
FRAMES_PER_S = 100  # whisper's log-mel frames per second of audio
NO_REPEAT_NGRAM = 3  # a short window's decode never writes a 3-word sequence twice
_MODELS: dict[tuple[Path, str, int, float | None], WhisperModel] = {}
_MODELS_LOCK = threading.Lock()


class ShortWindowWhisperModel(WhisperModel):  # type: ignore[misc]  # untyped library
    """A WhisperModel whose encoder reads a window of `window_s` seconds, or the audio plus a second when that
    is longer, instead of whisper's fixed 30 s. The encoder's work grows with the window (its attention with
    the square), so a 3 s utterance costs about a quarter; the decoder reads the shorter encoding as it is
    (CTranslate2 takes any length). For live decoding of short utterances. Shorter windows make whisper
    repeat itself more (with the audio's own length, one turn came out as 30 copies), which
    `WhisperRecognizer` bars for these (NO_REPEAT_NGRAM); figures in the README (live assist)."""

    def __init__(self, model_path: str, *, window_s: float, **kwargs: object) -> None:
        super().__init__(model_path, **kwargs)
        self.window_frames = int(window_s * FRAMES_PER_S)

    def encode(self, features: np.ndarray) -> object:
        if features.ndim == 2:
            # faster-whisper pads each window's features to 30 s with exact zeros (`pad_or_trim`); a frame
            # of real audio, silence included, is never all zeros after whisper's log-mel normalisation.
            content = np.flatnonzero(np.any(features != 0, axis=0))
            used = int(content[-1]) + 1 if content.size else 0
            keep = max(self.window_frames, -(-(used + FRAMES_PER_S) // FRAMES_PER_S) * FRAMES_PER_S)
            features = np.ascontiguousarray(features[:, : min(keep, features.shape[1])])
        return super().encode(features)


def load_whisper_model(
    model_path: Path, *, compute_type: str = "int8", cpu_threads: int = 0, window_s: float | None = None
) -> WhisperModel:
    """The process-wide WhisperModel for these arguments (loaded on first use, then shared); with `window_s`,
    a `ShortWindowWhisperModel` (a model of its own: the 30 s one serves the whole-call decodes)."""
    key = (model_path.resolve(), compute_type, cpu_threads, window_s)
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is None:
            options = {"device": "cpu", "compute_type": compute_type, "cpu_threads": cpu_threads}
            model = (
                WhisperModel(str(key[0]), **options)
                if window_s is None
                else ShortWindowWhisperModel(str(key[0]), window_s=window_s, **options)
            )
            _MODELS[key] = model
        return model


class WhisperRecognizer:
    """`Recognizer` backed by a faster-whisper model directory (e.g. tiny.en)."""

    def __init__(
        self,
        model_path: Path,
        *,
        language: str | None = "en",
        compute_type: str = "int8",
        cpu_threads: int = 0,
        beam_size: int = 5,
        vad_filter: bool = True,
        temperature_fallback: bool = True,
        window_s: float | None = None,
    ) -> None:
        """`temperature_fallback`: re-decode a window by sampling at rising temperatures when the beam's
        text fails whisper's checks (a loop, a low log-probability), as faster-whisper does by default.
        Sampling is random (CTranslate2's seed does not fix it), so without the fallback the same audio
        always gives the same words. `window_s`: encode short audio in a window of this many seconds
        instead of 30 (`ShortWindowWhisperModel`; for live utterances)."""
        self.name = f"faster-whisper:{model_label(model_path)}"
        self._model = load_whisper_model(
            model_path, compute_type=compute_type, cpu_threads=cpu_threads, window_s=window_s
        )
        self._language = language
        self._beam_size = beam_size
        self._vad_filter = vad_filter
        self._sampling: dict[str, float] = {} if temperature_fallback else {"temperature": 0.0}
        # In a short window whisper may repeat the utterance to the window's end: no 3-word sequence twice.
        self._window_guard = {"no_repeat_ngram_size": NO_REPEAT_NGRAM} if window_s is not None else {}

    def transcribe(
        self, samples: FloatArray, sample_rate: int, *, hints: Sequence[str] = (), phrases: Sequence[str] = ()
    ) -> list[Utterance]:
        # `phrases` are not used: hotwords for script words fixed one word and lost others (see the README).
        audio = np.ascontiguousarray(
            samples
            if sample_rate == WHISPER_SR
            else librosa.resample(samples, orig_sr=sample_rate, target_sr=WHISPER_SR),
            dtype=np.float32,
        )
        regions = speech_regions(audio) if self._vad_filter else [(0.0, len(audio) / WHISPER_SR)]
        utterances: list[Utterance] = []
        duration = len(audio) / WHISPER_SR
        i, resume_at = 0, 0.0
        # Whisper sometimes ends a 30 s window early (more often with a hotword prompt) and would skip the
        # rest of the window. Windows are cut from the real audio at speech regions (so word times need
        # no remapping), and the next window starts where the words stopped when speech remains there.
        while i < len(regions):
            begin = max(resume_at, regions[i][0] - PAD_S, 0.0)
            j = i
            while j + 1 < len(regions) and regions[j + 1][1] - begin <= WINDOW_S:
                j += 1
            end = min(duration, regions[j][1] + PAD_S, begin + WINDOW_S)
            found = self._decode(audio[int(begin * WHISPER_SR) : int(end * WHISPER_SR)], begin, hints)
            utterances.extend(found)
            reached = max((u.end for u in found), default=None)
            i, resume_at = _resume_point(regions, i, j, begin, end, reached)
        utterances = self._fill_thin_regions(audio, regions, utterances, hints)
        return _drop_repeats(only_where_speech(utterances, regions))

    def _fill_thin_regions(
        self,
        audio: FloatArray,
        regions: list[tuple[float, float]],
        utterances: list[Utterance],
        hints: Sequence[str],
    ) -> list[Utterance]:
        """Re-decode alone every speech region that got implausibly few words from its window.

        Whisper sometimes drops the end of a window and stretches the timestamps of what it kept over the
        gap, so "speech left after the last word" cannot see the loss; too few words for the seconds of
        speech can (people say 2–3 words a second). The region's own decode replaces its words when it
        finds more."""
        duration = len(audio) / WHISPER_SR
        for start, end in regions:
            if end - start < THIN_MIN_S:
                continue
            had = _words_within(utterances, start, end)
            if had / (end - start) >= THIN_WORDS_PER_S:
                continue
            begin = max(0.0, start - PAD_S)
            window = audio[int(begin * WHISPER_SR) : int(min(duration, end + PAD_S) * WHISPER_SR)]
            redone = self._decode(window, begin, hints)
            if _words_within(redone, start, end) > had:
                utterances = sorted(
                    [*_without_words_within(utterances, start, end), *redone], key=lambda u: u.start
                )
        return utterances

    def _decode(self, window: FloatArray, offset: float, hints: Sequence[str]) -> list[Utterance]:
        """Utterances in one ≤ 30 s window; times shifted by `offset` seconds."""
        segments, _info = self._model.transcribe(
            window,
            language=self._language,
            beam_size=self._beam_size,
            word_timestamps=True,
            vad_filter=False,
            # Calls are short turns; conditioning on earlier text is what makes whisper loop on silence.
            condition_on_previous_text=False,
            # Company and agent names are what tiny models garble most; hotwords bias the beam towards them.
            hotwords=", ".join(hints) if hints else None,
            **self._sampling,
            **self._window_guard,
        )
        utterances: list[Utterance] = []
        for seg in segments:
            text = seg.text.strip()
            if not text or (seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0):
                continue  # whisper's tell-tale of text invented for non-speech
            words = collapse_loops(
                tuple(
                    Word(
                        text=w.word.strip(),
                        start=offset + float(w.start),
                        end=offset + float(w.end),
                        conf=float(w.probability),
                    )
                    for w in (seg.words or [])
                    if w.word.strip()
                )
            )
            if words:
                text = " ".join(w.text for w in words)
            utterances.append(
                Utterance(
                    start=words[0].start if words else offset + float(seg.start),
                    end=words[-1].end if words else offset + float(seg.end),
                    text=text,
                    words=words,
                    confidence=min(1.0, math.exp(seg.avg_logprob)),
                )
            )
        return utterances


def _within(word: Word, start: float, end: float) -> bool:
    middle = (word.start + word.end) / 2
    return start - EDGE_S <= middle <= end + EDGE_S


def _words_within(utterances: list[Utterance], start: float, end: float) -> int:
    return sum(_within(w, start, end) for u in utterances for w in u.words)


def _without_words_within(utterances: list[Utterance], start: float, end: float) -> list[Utterance]:
    """`utterances` with their words inside [`start`, `end`] s removed (emptied utterances dropped)."""
    return _keep_words(utterances, lambda w: not _within(w, start, end))


def _keep_words(utterances: list[Utterance], keep: Callable[[Word], bool]) -> list[Utterance]:
    """`utterances` with only the words `keep` accepts, times and text following them (an utterance whose
    words all go is dropped; one without word times is kept as it is)."""
    narrowed = (_with_words(u, tuple(w for w in u.words if keep(w))) for u in utterances)
    return [u for u in narrowed if u is not None]


def _with_words(u: Utterance, words: tuple[Word, ...]) -> Utterance | None:
    """`u` narrowed to `words` (a subsequence of its own, some re-timed), times and text following them;
    `u` itself when all are kept as they were, None when none are."""
    if words == u.words:
        return u
    if not words:
        return None
    return replace(
        u, start=words[0].start, end=words[-1].end, text=" ".join(w.text for w in words), words=words
    )


def _resume_point(
    regions: list[tuple[float, float]], i: int, j: int, begin: float, end: float, reached: float | None
) -> tuple[int, float]:
    """(next region index, next window start) after decoding [`begin`, `end`) s over regions i..j with
    words up to `reached` s: the first region with more than TAIL_S of speech left after those words
    (mid-region if need be), else the region after the window. A restart that would not move forward
    gives the window up rather than loop."""
    if reached is not None:
        for k in range(i, j + 1):
            if regions[k][1] - max(reached, regions[k][0]) > TAIL_S:
                start = max(reached, regions[k][0] - PAD_S)
                if start > begin:
                    return k, start
                break
    return j + 1, end


def speech_regions(audio: FloatArray) -> list[tuple[float, float]]:
    """(start, end) seconds of speech in 16 kHz `audio` (Silero VAD as bundled with faster-whisper)."""
    options = VadOptions(min_silence_duration_ms=500, speech_pad_ms=0, max_speech_duration_s=WINDOW_S - 2)
    return [
        (c["start"] / WHISPER_SR, c["end"] / WHISPER_SR)
        for c in get_speech_timestamps(audio, options, sampling_rate=WHISPER_SR)
    ]


def collapse_loops(words: tuple[Word, ...], *, max_n: int = 3, min_repeats: int = 3) -> tuple[Word, ...]:
    """Keep one copy of a 1–`max_n`-word phrase repeated `min_repeats`+ times in a row ("Priya, Priya,
    Priya, …"): whisper's decoding loop, most often on a hinted name, never real speech at that rate."""

    def norm(w: Word) -> str:
        return w.text.lower().strip(".,!?")

    out: list[Word] = []
    i = 0
    while i < len(words):
        collapsed = False
        for n in range(1, max_n + 1):
            gram = [norm(w) for w in words[i : i + n]]
            if len(gram) < n:
                break
            repeats = 1
            while [norm(w) for w in words[i + repeats * n : i + (repeats + 1) * n]] == gram:
                repeats += 1
            if repeats >= min_repeats:
                out.extend(words[i : i + n])
                i += repeats * n
                collapsed = True
                break
        if not collapsed:
            out.append(words[i])
            i += 1
    return tuple(out)


def only_where_speech(utterances: list[Utterance], regions: list[tuple[float, float]]) -> list[Utterance]:
    """Words with speech under them (their middle inside a VAD region, ± EDGE_S): whisper invents words
    in the padding around speech and in silence (a lone "Okay." where nobody spoke). A turn's last word is
    often stamped late and stretched, or zero-length, past the region's end ("name's 3.22–4.20, Dwayne
    4.20–4.20" over speech ending at 3.81): a word that starts where a kept word of its utterance ends
    (within JOIN_S) and no more than TRAIL_S past that region's end is kept with it. A turn's first word is
    as often stamped early, stretched back over the silence before it ("Hi 0.00–0.74" over speech from
    0.58, "Thank 27.90–29.08" over speech from 28.90): a word that ends inside a region, where the kept
    word after it starts (within JOIN_S), is kept with it. An utterance without word times is kept when it
    overlaps speech at all."""
    timed = [kept for u in utterances if u.words and (kept := _speech_words(u, regions)) is not None]
    untimed = [u for u in utterances if not u.words and any(u.start < e and u.end > s for s, e in regions)]
    return sorted([*timed, *untimed], key=lambda u: u.start)


def _speech_words(u: Utterance, regions: list[tuple[float, float]]) -> Utterance | None:
    """`u` with only its words that have speech under them (see `only_where_speech`); None if none have."""
    heard: dict[int, tuple[float, float] | None] = {}  # kept word's index: the region its middle lies in
    anchor_end: float | None = None  # end of the region the word before belongs to; None if it was dropped
    for i, w in enumerate(u.words):
        region = next(((s, e) for s, e in regions if _within(w, s, e)), None)
        if region is not None:
            heard[i] = region
            anchor_end = region[1]
        elif (
            anchor_end is not None
            and w.start - u.words[i - 1].end <= JOIN_S
            and w.start <= anchor_end + TRAIL_S
        ):
            heard[i] = None
        else:
            anchor_end = None
    # A first word stamped early: it ends inside the region of the word after it, where that word starts.
    # It is kept from the region's start: the silence before is not its sound.
    leading = {
        i: replace(w, start=region[0])
        for i, (w, after) in enumerate(pairwise(u.words))
        if i not in heard
        and (region := heard.get(i + 1)) is not None
        and after.start - w.end <= JOIN_S
        and region[0] < w.end
    }
    kept = (leading.get(i, w) for i, w in enumerate(u.words) if i in heard or i in leading)
    return _with_words(u, tuple(kept))


def _drop_repeats(utterances: list[Utterance]) -> list[Utterance]:
    """Drops an utterance identical to the one before it: a decoding loop, not speech."""
    kept: list[Utterance] = []
    for u in utterances:
        if kept and kept[-1].text == u.text:
            continue
        kept.append(u)
    return kept
