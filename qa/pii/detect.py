"""Finding personal data in a call transcript, as word spans with times.

Presidio's analyzer is the recognizer framework: it runs every recognizer over a text and returns scored
character spans. It runs here with its `NoOpNlpEngine` (no spaCy model: the entities are numbers and
shapes, not names, and the agent's and caller's names must stay for QA), Presidio's own card (Luhn),
IBAN (checksum) and phone (libphonenumber) recognizers, and ours for what a recogniser writes: numbers said
as words and classified by what was asked before them on either leg (`CuedNumberRecognizer`), e-mail
addresses said with "at" and "dot", street addresses. Each speaker's words become one text
(`spoken_text`), whose characters map back to words and so to times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NoOpNlpEngine
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, IbanRecognizer, PhoneRecognizer

from qa.pii.config import PiiConfig
from qa.pii.numbers import Cue, CuedNumberRecognizer, find_cues
from qa.pii.spans import PiiSpan
from qa.pii.spoken import SpokenText, spoken_text
from qa.pii.widen import widen_spans
from transcription.recognizer import Speaker, Transcript

SPEAKERS: tuple[Speaker, ...] = ("agent", "caller")


_TLDS = "com|net|org|co|uk|io|edu|gov|info|biz|us|ca|au|de|fr|ie|me"
_EMAIL = (
    r"\b[a-z0-9_%+-]+(?:(?:\.|\s+dot\s+|\s+underscore\s+|\s+dash\s+)[a-z0-9_%+-]+)*"
    r"(?:@|\s+at\s+)[a-z0-9-]+(?:(?:\.|\s+dot\s+)[a-z0-9-]+)*(?:\.|\s+dot\s+)(?:" + _TLDS + r")\b"
)
_STREETS = "street|road|avenue|lane|drive|way|court|place|boulevard|close|crescent|terrace|st|rd|ave"
_ADDRESS = r"\b\d{1,5}(?:\s+[a-z]+){1,3}\s+(?:" + _STREETS + r")\b"
# A UK postcode as a recogniser writes one read out: "NW1 6XE", "N W 1, 6 X E", "LS 16 XE" (the two
# digits may come as one number); letters in capitals, so matched case-sensitively.
_POSTCODE = r"\b(?:[A-Z]\s?){1,2}\d{1,2}[A-Z]?,?\s?\d?\s?(?:[A-Z]\s?){2}(?![a-z])"
# A Chinese address: at least two parts each ending in an address word (省 市 区 县 路 街 号 楼 室 …),
# one of them a place or a street ("北京市海淀区中关村大街27号", "3号楼2单元401室" after a street).
_CN_PART = r"[\u4e00-\u9fff\d ]{1,10}?(?:省|市|区|县|镇|乡|村|路|街|大街|道|巷|弄|号|栋|幢|楼|单元|室)"
_CN_ADDRESS = r"(?=[^。，]*?(?:省|市|区|县|路|街|巷|弄))(?:" + _CN_PART + r"){2,}"


@cache
def _analyzer() -> AnalyzerEngine:
    """Presidio with no NLP model and the recognizers that work on transcript text (built once)."""
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    nlp.load()
    registry = RecognizerRegistry(
        recognizers=[
            CreditCardRecognizer(),
            IbanRecognizer(),
            PhoneRecognizer(),
            PatternRecognizer("EMAIL_ADDRESS", patterns=[Pattern("spoken e-mail", _EMAIL, 0.85)]),
            PatternRecognizer("ADDRESS", patterns=[Pattern("street address", _ADDRESS, 0.7)]),
            PatternRecognizer(
                "ADDRESS",
                name="postcode and Chinese address",
                patterns=[
                    Pattern("UK postcode", _POSTCODE, 0.6),
                    Pattern("Chinese address", _CN_ADDRESS, 0.7),
                ],
                global_regex_flags=re.MULTILINE,
            ),
        ]
    )
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])


def find_pii(transcript: Transcript, config: PiiConfig, *, min_score: float = 0.5) -> list[PiiSpan]:
    """Personal data in `transcript`, each span in one speaker's words (overlapping findings merged, the
    highest-scoring entity names the span), in time order. Findings scoring below `min_score` (0–1) are
    dropped. Each speaker's numbers are classified twice: the second time the other speaker's numbers
    found the first time are cues too (an agent reading back what the caller said)."""
    phrases = find_cues(transcript, config)
    texts = [
        spoken_text(transcript, s, max_gap_s=config.max_gap_s, max_run_digits=config.max_run_digits)
        for s in SPEAKERS
    ]
    texts = [t for t in texts if t.text]
    found: list[Cue] = []
    for spoken in texts:
        recognizer = CuedNumberRecognizer(spoken, phrases, config)
        _analyzer().analyze(text=spoken.text, language="en", ad_hoc_recognizers=[recognizer])
        found.extend(recognizer.found)
    spans: list[PiiSpan] = []
    for spoken in texts:
        others = [c for c in found if c.speaker != spoken.speaker]
        cues = sorted([*phrases, *others], key=lambda c: c.time)
        results = _analyzer().analyze(
            text=spoken.text,
            language="en",
            ad_hoc_recognizers=[CuedNumberRecognizer(spoken, cues, config)],
            score_threshold=min_score,
        )
        spans.extend(_merge(spoken, results, config))
    return widen_spans(transcript, spans, phrases, config)


def _merge(spoken: SpokenText, results: Sequence[RecognizerResult], config: PiiConfig) -> list[PiiSpan]:
    found = sorted(
        ((spoken.words_of(r.start, r.end), r) for r in results),
        key=lambda wr: wr[0][0] if wr[0] else -1,
    )
    groups: list[tuple[set[int], RecognizerResult]] = []
    for words, result in found:
        if not words:
            continue
        if groups and min(words) <= max(groups[-1][0]):
            members, best = groups[-1]
            members.update(words)
            groups[-1] = (members, result if result.score > best.score else best)
        else:
            groups.append((set(words), result))
    spans = []
    for members, best in groups:
        refs = [spoken.words[i] for i in sorted(members)]
        spans.append(
            PiiSpan(
                entity=best.entity_type,
                token=config.token(best.entity_type),
                speaker=spoken.speaker,
                start=min(r.word.start for r in refs),
                end=max(r.word.end for r in refs),
                words=tuple((r.segment, r.index) for r in refs),
                score=float(best.score),
            )
        )
    return spans
