"""Call scripts as data: loading and validating the YAML schema documented in qa/scripts/en.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from qa.exceptions import ScriptError

DEFAULT_SCRIPT = "en.yaml"


@dataclass(frozen=True)
class Window:
    """Where a check looks: the first `first_s` seconds, or the last turns/seconds; all None = anywhere."""

    first_s: float | None = None
    last_turns: int | None = None
    last_s: float | None = None


@dataclass(frozen=True)
class ElementPlace:
    """Where in its window an element belongs (`qa.element_place`): the speaker's last `last_turns` turns,
    and from the sentence where the element named `after` was heard on (the offer of further help, which
    ends a call's business)."""

    last_turns: int
    after: str | None = None


@dataclass(frozen=True)
class ElementDef:
    name: str
    phrases: tuple[str, ...]
    required: bool = True
    weight: float = 1.0
    needs: str | None = None
    window: Window | None = None
    """Overrides the check's window for this element (e.g. "please" early, "goodbye" last)."""
    never: tuple[str, ...] = ()
    """Regular expressions over the canonical text of one utterance (qa/never.py): one heard in the
    element's window makes the element missing (您 required, 你 never: `你(?!们)`)."""
    false_friends: tuple[str, ...] = ()
    """Phrases near the element's own that say something else ("thanks for holding" beside "thanks for
    choosing"): words one of them matches at least as well as an element phrase are not the element
    (`qa.matching.best_match`)."""
    belongs: ElementPlace | None = None
    """Where in its window the element belongs, the only place the sentence model alone may hear it and
    a garbled stretch may have hidden it (the lean, `qa.element_place`); None = anywhere in the window."""


@dataclass(frozen=True)
class CheckDef:
    name: str
    speaker: str
    window: Window
    elements: tuple[ElementDef, ...]


SILENT_CALLER = "silent_caller"
NOISY_LINE = "noisy_line"


@dataclass(frozen=True)
class SilentCallerDef:
    """The silent-caller procedure (qa/procedures.py): after `silent_s` seconds of caller silence
    following the agent's first turn, `min_prompts` prompts in separate turns, then a polite close."""

    silent_s: float
    min_prompts: int
    prompts: tuple[str, ...]
    close: tuple[str, ...]


@dataclass(frozen=True)
class NoisyLineDef:
    """The noisy-line procedure (qa/procedures.py): on a caller leg whose speech stands less than
    `max_snr_db` above its noise (`qa.acoustic.line_snr_db`), the agent tells the caller about the line
    (asks them to speak up or to call again) in at least `min_prompts` turns; when the agent ends the call
    on it, the last turn closes politely."""

    max_snr_db: float
    min_prompts: int
    prompts: tuple[str, ...]
    close: tuple[str, ...]


Procedure = SilentCallerDef | NoisyLineDef


@dataclass(frozen=True)
class Script:
    id: str
    version: str
    language: str
    threshold: float
    checks: dict[str, CheckDef]
    company: str | None = None
    agent_name: str | None = None
    procedures: dict[str, Procedure] = field(default_factory=dict)
    """Situational procedures by name (`silent_caller`, `noisy_line`), checked when they arise."""
    agent_number: str | None = None
    """The agent's work number (工号, the agent record's employee number) when known: a `needs:
    agent_number` element must say it (qa/checks.py)."""
    mood_in_closing_reply: bool = False
    """Whether the caller's reply to the offer of further help tells their end mood when it is not
    neutral (`qa.sentiment.speaker_sentiment`); off where the language's sentiment model reads the
    formula reply ("no, that is all, thank you") as a mood."""

    def for_call(
        self, company: str | None, agent_name: str | None, agent_number: str | None = None
    ) -> Script:
        """This script with `company` and `agent_name` filled into its phrase placeholders and the agent's
        work number `agent_number` kept for the elements that need it. Call it on the script as parsed
        (placeholders intact): a process parses its script once and fills it per call; a phrase naming the
        company is dropped while no company is known."""
        checks = {
            name: replace(
                check,
                elements=tuple(
                    replace(
                        el, phrases=tuple(f for f in (_fill(p, company, agent_name) for p in el.phrases) if f)
                    )
                    for el in check.elements
                ),
            )
            for name, check in self.checks.items()
        }
        return replace(
            self, checks=checks, company=company, agent_name=agent_name, agent_number=agent_number or None
        )

    def literal_phrases(self) -> tuple[str, ...]:
        """Every element phrase without a slot: what a recogniser can listen for word by word."""
        found = (p for c in self.checks.values() for e in c.elements for p in e.phrases if "<" not in p)
        return tuple(dict.fromkeys(found))


def _fill(phrase: str, company: str | None, agent_name: str | None) -> str | None:
    """Fill placeholders; a phrase whose placeholder is unknown is dropped (None)."""
    if "{company}" in phrase:
        if not company:
            return None
        phrase = phrase.replace("{company}", company)
    if "{agent}" in phrase:
        phrase = phrase.replace("{agent}", agent_name or "<name>")
    # The number's frame is matched with a slot and the number compared exactly (a fuzzy match would take
    # 1025 for 1024): see qa/checks.py.
    return phrase.replace("{number}", "<any>")


def parse_script(data: Any, *, source: str) -> Script:
    """Validate parsed YAML into a Script with its placeholders intact (fill them with `Script.for_call`);
    raises ScriptError naming `source` and the problem."""
    if not isinstance(data, dict):
        raise ScriptError(f"{source}: a script must be a mapping")
    try:
        checks: dict[str, CheckDef] = {}
        for check_name, check in (data.get("checks") or {}).items():
            elements: list[ElementDef] = []
            for el_name, el in (check.get("elements") or {}).items():
                phrases = [str(x) for x in el["phrases"]]
                elements.append(
                    ElementDef(
                        name=el_name,
                        phrases=tuple(phrases),
                        required=bool(el.get("required", True)),
                        weight=float(el.get("weight", 1.0)),
                        needs=el.get("needs"),
                        window=_window(el["window"]) if "window" in el else None,
                        never=tuple(_pattern(str(p), source) for p in el.get("never") or ()),
                        false_friends=tuple(str(p) for p in el.get("false_friends") or ()),
                        belongs=_belongs(el["belongs"], elements, source) if "belongs" in el else None,
                    )
                )
            if not elements:
                raise ScriptError(f"{source}: check {check_name!r} has no elements")
            checks[check_name] = CheckDef(
                name=check_name,
                speaker=str(check.get("speaker", "agent")),
                window=_window(check.get("window")),
                elements=tuple(elements),
            )
        if not checks:
            raise ScriptError(f"{source}: no checks defined")
        return Script(
            id=str(data["id"]),
            version=str(data["version"]),
            language=str(data.get("language", "en")),
            threshold=float(data.get("threshold", 80)),
            checks=checks,
            procedures=_procedures(data.get("procedures"), source),
            mood_in_closing_reply=bool(data.get("mood_in_closing_reply", False)),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, ScriptError):
            raise
        raise ScriptError(f"{source}: invalid script ({exc.__class__.__name__}: {exc})") from exc


def _procedures(data: Any, source: str) -> dict[str, Procedure]:
    found: dict[str, Procedure] = {}
    for name, raw in (data or {}).items():
        prompts, close = tuple(str(p) for p in raw["prompts"]), tuple(str(p) for p in raw["close"])
        if name == SILENT_CALLER:
            found[name] = SilentCallerDef(
                float(raw["silent_s"]), int(raw.get("min_prompts", 2)), prompts, close
            )
        elif name == NOISY_LINE:
            found[name] = NoisyLineDef(
                float(raw["max_snr_db"]), int(raw.get("min_prompts", 1)), prompts, close
            )
        else:
            raise ScriptError(f"{source}: unknown procedure {name!r}; known: {SILENT_CALLER}, {NOISY_LINE}")
    return found


def _pattern(pattern: str, source: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ScriptError(f"{source}: invalid `never` pattern {pattern!r} ({exc})") from exc
    return pattern


def _belongs(data: Any, earlier: list[ElementDef], source: str) -> ElementPlace:
    after = data.get("after")
    if after is not None and after not in {e.name for e in earlier}:
        # The element is judged after the ones listed before it: its place needs theirs.
        raise ScriptError(f"{source}: `belongs.after` must name an element listed before ({after!r})")
    last_turns = int(data["last_turns"])
    if last_turns < 1:
        raise ScriptError(f"{source}: `belongs.last_turns` must be at least 1 ({last_turns})")
    return ElementPlace(last_turns=last_turns, after=after)


def _window(data: Any) -> Window:
    data = data or {}
    return Window(first_s=data.get("first_s"), last_turns=data.get("last_turns"), last_s=data.get("last_s"))


def read_yaml(path: Path | None, default_name: str) -> tuple[Any, str]:
    """Parsed YAML from `path`, or from the packaged `qa/scripts/<default_name>`; with its source name."""
    try:
        if path is None:
            text = resources.files("qa").joinpath("scripts", default_name).read_text(encoding="utf-8")
            return yaml.safe_load(text), default_name
        return yaml.safe_load(path.read_text(encoding="utf-8")), str(path)
    except OSError as exc:
        raise ScriptError(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ScriptError(f"{path or default_name}: not valid YAML ({exc})") from exc


def packaged_name(stem: str, language: str) -> str:
    """`<stem>_<language>.yaml` (or `<language>.yaml` for scripts) when packaged, else the English one."""
    name = f"{stem}_{language}.yaml" if stem else f"{language}.yaml"
    if resources.files("qa").joinpath("scripts", name).is_file():
        return name
    return f"{stem}_en.yaml" if stem else DEFAULT_SCRIPT


def packaged_languages() -> tuple[str, ...]:
    """The language codes with a packaged call script (`qa/scripts/<code>.yaml`): the languages a call
    can be judged in."""
    names = (f.name for f in resources.files("qa").joinpath("scripts").iterdir())
    return tuple(sorted(n.removesuffix(".yaml") for n in names if n.endswith(".yaml") and "_" not in n))


def load_script(
    path: Path | None,
    *,
    company: str | None = None,
    agent_name: str | None = None,
    agent_number: str | None = None,
    language: str = "en",
) -> Script:
    """Load a call script (default: the packaged one for `language`, English when there is none) with
    `company`/`agent_name`/`agent_number` filled in."""
    return load_script_template(path, language=language).for_call(company, agent_name, agent_number)


def load_script_template(path: Path | None, *, language: str = "en") -> Script:
    """Load a call script with its placeholders intact, to be filled per call with `Script.for_call`."""
    data, source = read_yaml(path, packaged_name("", language))
    return parse_script(data, source=source)
