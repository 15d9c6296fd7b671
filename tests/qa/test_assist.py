"""Live assist's pure core: utterance events in, checklist and suggestions (with reasons) out."""

from __future__ import annotations

import json

import pytest

from qa.assist import Assistant, HeardUtterance, Update
from qa.phrases import find_agent_phrases, load_empathy_phrases, load_forbidden_phrases
from qa.script import load_script
from qa.sentiment import VaderSentiment
from qa.sentiment_model import train_sentiment
from tests.conftest import DEV_SET
from transcription.recognizer import Segment, Transcript


def _assistant(language: str = "en", **call: str) -> Assistant:
    script = load_script(None, language=language, **call)
    sentiment = VaderSentiment() if language == "en" else train_sentiment(None, language=language)
    return Assistant(
        script, load_forbidden_phrases(None, language), load_empathy_phrases(None, language), sentiment
    )


def _ticked(update: Update) -> set[str]:
    return {f"{e.check}.{e.element}" for e in update.checklist if e.ticked}


def test_take_a_look_ticks_no_goodbye_and_opens_no_closing_phase() -> None:
    """ "take a" is a fuzzy 80 against "take care": weak evidence offline, so no tick live either."""
    assist = _assistant(company="Bluebird Bank", agent_name="Tom")
    assist.hear(HeardUtterance("agent", 0.5, 4.0, "Good morning, Bluebird Bank, my name is Tom."))
    assist.hear(HeardUtterance("caller", 5.0, 7.0, "My card was charged twice."))
    update = assist.hear(HeardUtterance("agent", 8.0, 9.0, "Let me take a look."))
    assert "closing.goodbye" not in _ticked(update)
    assert not update.closing_phase and not update.suggestions
    assert _ticked(update) == {"greeting.salutation", "greeting.company", "greeting.self_id"}


def test_missing_greeting_element_is_suggested_once_the_caller_speaks() -> None:
    assist = _assistant(company="Bluebird Bank", agent_name="Tom")
    first = assist.hear(HeardUtterance("agent", 0.5, 3.0, "Thank you for calling Bluebird Bank."))
    assert not first.suggestions  # the agent may still be introducing themselves
    update = assist.hear(HeardUtterance("caller", 4.0, 6.0, "Hi, I have a question about my bill."))
    [suggestion] = update.suggestions
    assert (suggestion.kind, suggestion.element, suggestion.say) == ("greeting", "self_id", "My name is Tom")
    assert "not heard in the opening" in suggestion.reason
    assert not update.closing_phase  # "thank you for calling" opens calls as often as it closes them


def test_greeting_suggested_when_the_opening_window_passes_without_the_caller() -> None:
    assist = _assistant(agent_name="Tom")
    assist.hear(HeardUtterance("agent", 0.5, 2.0, "Hello, my name is Tom."))
    early = assist.advance(19.0)
    assert early is None or all(s.kind != "greeting" for s in early.suggestions)
    update = assist.advance(20.5)
    assert update is not None
    assert {s.element for s in update.suggestions if s.kind == "greeting"} == {"company"}


def test_negative_caller_gets_an_empathy_phrase_from_the_list_with_the_reason() -> None:
    assist = _assistant()
    assist.hear(HeardUtterance("agent", 0.5, 3.0, "Hello, this is Tom speaking."))
    update = assist.hear(
        HeardUtterance("caller", 4.0, 7.0, "This is terrible, I am furious with your service.")
    )
    assert update.turn is not None and update.turn.sentiment == "neg"
    [empathy] = [s for s in update.suggestions if s.kind == "empathy"]
    assert empathy.say == load_empathy_phrases(None).say[0]
    assert "negative" in empathy.reason and "furious" in empathy.reason


@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_empathy_sentence_offered_is_a_whole_sentence_the_offline_check_recognises(
    language: str,
) -> None:
    """Offered sentences are not the list's fragments ("i understand how frustrating"), and saying one
    counts as empathy offline."""
    phrases = load_empathy_phrases(None, language)
    assert len(phrases.say) >= 3
    for sentence in phrases.say:
        assert sentence not in phrases.groups["empathy"]
        said = Transcript((Segment("agent", 1.0, 4.0, sentence),), 5.0, language=language)
        assert find_agent_phrases(said, phrases)["empathy"], sentence


def test_a_greeting_in_two_turns_opens_no_closing_phase() -> None:
    """ "Thank you for calling Bluebird Bank" is also the closing's thanks (with the company filled in):
    said in the agent's second turn it must neither open the closing phase nor tick the closing."""
    assist = _assistant(company="Bluebird Bank", agent_name="Tom")
    assist.hear(HeardUtterance("agent", 0.5, 1.2, "Hello."))
    update = assist.hear(
        HeardUtterance("agent", 1.8, 4.5, "Thank you for calling Bluebird Bank, my name is Tom.")
    )
    assert not update.closing_phase
    assert _ticked(update) == {"greeting.salutation", "greeting.company", "greeting.self_id"}
    bye = assist.hear(HeardUtterance("agent", 30.0, 31.5, "Thank you for calling, have a great day."))
    assert bye.closing_phase and {t for t in _ticked(bye) if t.startswith("closing.")} == {
        "closing.thanks",
        "closing.goodbye",
    }


def test_agitation_is_measured_against_the_callers_own_first_utterances() -> None:
    assist = _assistant()
    assist.hear(HeardUtterance("agent", 0.0, 2.0, "Hello, this is Tom speaking."))
    calm = [
        assist.hear(HeardUtterance("caller", 3.0 + 4 * i, 5.0 + 4 * i, "I see.", (), 150.0, -30.0))
        for i in range(2)
    ]
    assert all(u.turn is not None and u.turn.pitch_change_st is None for u in calm)  # the baseline
    same = assist.hear(HeardUtterance("caller", 12.0, 14.0, "Right.", (), 155.0, -29.0))
    assert same.turn is not None and not same.turn.agitated and not same.suggestions
    loud = assist.hear(HeardUtterance("caller", 16.0, 18.0, "Right.", (), 190.0, -24.0))
    assert loud.turn is not None and loud.turn.agitated
    assert loud.turn.pitch_change_st == pytest.approx(4.09, abs=0.01)
    [empathy] = loud.suggestions
    assert empathy.kind == "empathy" and "agitated (pitch +4.1 st, loudness +6.0 dB)" in empathy.reason


def test_forbidden_remark_gets_the_approved_wording() -> None:
    assist = _assistant()
    update = assist.hear(HeardUtterance("agent", 30.0, 32.0, "Sorry, that is not my department."))
    [warning] = update.suggestions
    assert warning.kind == "forbidden" and warning.element == "blame_shifting"
    assert warning.say == load_forbidden_phrases(None).instead["blame_shifting"]
    assert "stay on the line" in warning.say and "not my department" in warning.reason


def test_a_forbidden_remark_cut_in_two_by_a_pause_is_warned_once() -> None:
    assist = _assistant()
    assert not assist.hear(HeardUtterance("agent", 30.0, 31.0, "Honestly, that is not my")).suggestions
    [warning] = assist.hear(HeardUtterance("agent", 31.4, 32.4, "department, sorry.")).suggestions
    assert warning.element == "blame_shifting"
    assert not assist.hear(HeardUtterance("agent", 33.0, 34.0, "Let me see.")).suggestions


def test_closing_phase_starts_on_a_goodbye_and_suggests_what_is_missing() -> None:
    assist = _assistant(company="Bluebird Bank", agent_name="Tom")
    assist.hear(HeardUtterance("agent", 0.5, 4.0, "Good morning, Bluebird Bank, my name is Tom."))
    assist.hear(HeardUtterance("agent", 20.0, 24.0, "Thank you for calling us about this."))
    update = assist.hear(HeardUtterance("caller", 25.0, 26.0, "Okay, thanks, bye."))
    assert update.closing_phase
    assert {s.element: s.say for s in update.suggestions} == {
        "offer_help": "Is there anything else I can help you with",
        "thanks": "Thank you for calling",
        "goodbye": "Have a great day",
    }
    assert not {t for t in _ticked(update) if t.startswith("closing.")}  # said before the phase: not ticked
    done = assist.hear(HeardUtterance("agent", 27.0, 30.0, "Thank you for calling, goodbye."))
    assert {t for t in _ticked(done) if t.startswith("closing.")} == {"closing.thanks", "closing.goodbye"}
    final = assist.end(31.0).final
    assert final is not None and final["closing"].missing == ["offer_help"]


def test_silent_caller_prompts_twice_then_closes_politely() -> None:
    assist = _assistant()
    assist.hear(HeardUtterance("agent", 0.5, 3.0, "Hello, this is Tom speaking, how can I help?"))
    kinds = []
    for second in range(4, 40):
        update = assist.advance(float(second), caller_speaking=False)
        found = update.suggestions if update else ()
        kinds += [(second, s.element, s.say) for s in found if s.kind == "silent_caller"]
    assert kinds == [
        (11, "prompt", "Can you hear me"),
        (19, "prompt", "Are you there"),
        (27, "close", "I can't hear you"),
    ]


def test_a_caller_who_answered_is_never_prompted_and_speech_energy_counts() -> None:
    assist = _assistant()
    assist.hear(HeardUtterance("agent", 0.5, 3.0, "Hello, this is Tom speaking, how can I help?"))
    assert assist.advance(6.0, caller_speaking=True) is None  # speech the recogniser wrote no words for
    updates = [assist.advance(float(t)) for t in range(7, 60)]
    assert not [s for u in updates if u is not None for s in u.suggestions if s.kind == "silent_caller"]


def test_chinese_script_suggests_the_work_number_and_empathy() -> None:
    assist = _assistant("zh", company="蓝鸟银行", agent_number="1024")
    assist.hear(HeardUtterance("agent", 0.5, 3.0, "您好，蓝鸟银行。"))
    update = assist.hear(HeardUtterance("caller", 4.0, 7.0, "你们的服务太差了，我非常生气，太失望了"))
    says = {s.kind: s.say for s in update.suggestions}
    assert says["greeting"] == "1024号为您服务"
    assert says["empathy"] in load_empathy_phrases(None, "zh").say
    warning = assist.hear(HeardUtterance("agent", 8.0, 10.0, "这不归我管"))
    assert [s.say for s in warning.suggestions] == [
        load_forbidden_phrases(None, "zh").instead["blame_shifting"]
    ]
    bye = assist.hear(HeardUtterance("agent", 40.0, 43.0, "请问还有什么可以帮您？感谢您的来电，再见"))
    assert {t for t in _ticked(bye) if t.startswith("closing.")} == {
        "closing.offer_help",
        "closing.thanks",
        "closing.goodbye",
    }


@pytest.mark.dev_set
def test_dev_set_calls_played_live_tick_no_closing_element_before_the_closing() -> None:
    """Each dev-set call's reference turns, heard in the order they end: every closing tick comes from
    the offline closing window (the agent's last 3 turns or last 30 s)."""
    premature = []
    for path in sorted((DEV_SET / "calls").glob("*.json")):
        record = json.loads(path.read_text())
        if record.get("language", "en") != "en":
            continue
        assist = _assistant()
        turns = sorted(record["turns"], key=lambda t: t["end"])
        for turn in turns:
            update = assist.hear(HeardUtterance(turn["speaker"], turn["start"], turn["end"], turn["text"]))
        agent = [t for t in turns if t["speaker"] == "agent"]
        closing_from = min(
            [t["start"] for t in agent[-3:]]
            + [t["start"] for t in agent if t["start"] >= agent[-1]["end"] - 30]
        )
        premature += [
            f"{path.name}: {e.element} at {e.at}"
            for e in update.checklist
            if e.check == "closing" and e.ticked and e.at is not None and e.at < closing_from
        ]
    assert not premature
