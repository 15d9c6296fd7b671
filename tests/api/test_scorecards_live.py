"""The scorecard editor against a real server (callqa serve): a refused form names each problem beside its
row and keeps what was typed; a saved draft scores nothing; a double-clicked publish (two requests at the
same moment) makes exactly one new version; only admins reach the editor. Over JSON (admins too) the
versions and a version's items read as the editor stores them."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import select

from models import CallScore, ScorecardVersion, ScoreRevision, make_engine, make_session_factory
from scoring.scorecard import load_scorecard, scorecard_to_data
from scoring.versions import current_scorecard, publish_draft, save_draft
from tests.conftest import callqa_ok, create_scored_call, fresh_database
from tests.live import live_server, seed_database, server_env

CALLS = 3
CLOSING_FAILED = {"greeting": True, "closing": False, "courtesy": True, "empathy": None, "no_dead_air": True}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = fresh_database(request.param, tmp_path)
    agent_id = seed_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:  # calls scored on version 2 (the YAML file's), each with a failed closing
        current_scorecard(s, load_scorecard(None))
        for _ in range(CALLS):
            create_scored_call(s, agent_id, CLOSING_FAILED)
        s.commit()
    env = server_env(tmp_path / "data", database_url=url)
    with live_server(env, tmp_path / "server.log", worker=False) as live:
        yield live, factory
    engine.dispose()


def form_fields(html: str) -> dict[str, str]:
    """The editor form's fields as the browser would send them (checked boxes only, selected options)."""
    form = html[html.index('id="editor"') : html.index("</form>", html.index('id="editor"'))]
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and ('type="checkbox"' not in tag or " checked" in tag):
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select name="([^"]+)">(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body) or re.search(
            r'<option value="([^"]*)"', body
        )
        fields[name] = chosen.group(1) if chosen else ""
    return fields


def versions(factory) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(version, state) of each version of the default card; a draft's version reads "draft"."""
    with factory() as s:
        rows = s.scalars(select(ScorecardVersion).where(ScorecardVersion.scorecard_id == "default"))
        return sorted((r.version or "draft", r.state) for r in rows)


def test_edit_refuse_save_and_a_double_clicked_publish(server) -> None:  # type: ignore[no-untyped-def]
    live, factory = server
    assert live.page_client("qa").get("/admin/scorecards").status_code == 403
    admin = live.page_client("admin")
    listing = admin.get("/admin/scorecards")
    assert listing.status_code == 200 and 'data-version="2"' in listing.text
    editor = admin.get("/admin/scorecards/default").text
    fields = form_fields(editor)
    assert fields["id__1"] == "greeting" and fields["weight__3"] == "30" and fields["fails__3"] == "cap"

    # Bad weight, an unknown check and a condition on a later item: all named, nothing stored or lost.
    bad = fields | {"weight__2": "-5", "verdict__1": "check:greetng", "id__8": "hold_music"}
    bad |= {"verdict__8": "no_dead_air", "weight__8": "5", "when_item__1": "hold_music", "note": "try"}
    refused = admin.post("/admin/scorecards/default", data=bad)
    assert refused.status_code == 422
    problems = re.findall(r"<li>(item \d[^<]*)</li>", refused.text)
    assert set(problems) == {
        "item 1 (greeting): unknown check &#39;greetng&#39; "
        "(checks are closing, greeting, noisy_line, silent_caller, three_musts)",
        "item 1 (greeting): its condition must name an item listed before it, not &#39;hold_music&#39;",
        "item 2 (closing) needs a positive weight",
    }
    kept = form_fields(refused.text)
    assert (kept["weight__2"], kept["verdict__1"], kept["id__8"], kept["note"]) == (
        "-5",
        "check:greetng",
        "hold_music",
        "try",
    )
    assert 'id="item-2" data-row="2" aria-describedby="item-2-problems"' in refused.text
    assert versions(factory) == [("2", "published")]

    # Corrected: a conditional item, the closing made an auto-fail without N/A; saved as a draft.
    good = fields | {"id__8": "hold_music", "verdict__8": "no_dead_air", "weight__8": "5"}
    good |= {"when_item__8": "greeting", "when_verdict__8": "fail", "fails__2": "fatal", "note": "hold music"}
    good.pop("na__2")
    saved = admin.post("/admin/scorecards/default", data=good, follow_redirects=False)
    assert saved.status_code == 303, saved.text[-3000:]
    assert versions(factory) == [("2", "published"), ("draft", "draft")]
    page = admin.get("/admin/scorecards/default").text
    assert "A <strong>draft</strong> based on version 2" in page
    draft = form_fields(page)
    assert (draft["fails__2"], "na__2" in draft, draft["when_item__8"]) == ("fatal", False, "greeting")

    # Publish, double-clicked: two requests at the same moment make one version.
    publish = re.search(
        r'id="publish-form"><input type="hidden" name="csrf" value="([^"]+)">'
        r'<input type="hidden" name="draft_id" value="(\d+)">',
        page,
    )
    assert publish
    cookies = dict(admin.cookies)

    def click(_: int) -> str:
        with httpx.Client(base_url=live.url, cookies=cookies, timeout=60) as client:
            resp = client.post(
                "/admin/scorecards/default/publish",
                data={"csrf": publish.group(1), "draft_id": publish.group(2)},
                follow_redirects=False,
            )
            assert resp.status_code == 303, resp.text
            return unquote(resp.headers["location"])

    with ThreadPoolExecutor(2) as pool:
        where = sorted(pool.map(click, range(2)))
    assert versions(factory) == [("2", "published"), ("3", "published")], live.log_text()[-2000:]
    assert "msg=Version 3 published" in where[1]
    assert "error=this draft was already published as version 3" in where[0]
    after = admin.get("/admin/scorecards/default").text
    assert "Active: <strong>version 3</strong>" in after and 'id="publish"' not in after
    exported = admin.get("/admin/scorecards/default/3.yaml")
    assert (
        exported.status_code == 200 and "applies_when: {item: greeting, verdict: fail}" not in exported.text
    )
    assert "hold_music" in exported.text and "na_allowed: false" in exported.text

    # The call page names the version; rescoring one call (double-clicked) moves it to version 3 once.
    with factory() as s:
        first, *others = sorted(s.scalars(select(CallScore.call_id)))
    call_page = admin.get(f"/calls/{first}").text
    assert "Scored with scorecard default, version 2. The active version is 3." in call_page
    csrf = re.search(r'id="rescore-form"><input type="hidden" name="csrf" value="([^"]+)">', call_page)
    assert csrf

    def rescore(_: int) -> str:
        with httpx.Client(base_url=live.url, cookies=cookies, timeout=60) as client:
            resp = client.post(
                f"/calls/{first}/rescore", data={"csrf": csrf.group(1)}, follow_redirects=False
            )
            assert resp.status_code == 303, resp.text
            return unquote(resp.headers["location"])

    with ThreadPoolExecutor(2) as pool:
        said = sorted(pool.map(rescore, range(2)))
    assert said == [
        f"/calls/{first}?msg=Already scored with version 3",
        f"/calls/{first}?msg=Rescored with version 3: 76 → 0",
    ]
    page = admin.get(f"/calls/{first}").text
    assert "Scored with scorecard default, version 3." in page and 'id="rescore"' not in page
    history = re.findall(r'<tr class="ev-scored">(.*?)</tr>', page)
    assert len(history) == 2 and "scorecard version 2" in history[0] and "scorecard version 3" in history[1]
    assert "rescored with the active version 3" in history[1] and "<td>admin</td>" in history[1]

    # The rest by the bulk command, on the same database.
    env = live.env | {"COLUMNS": "200"}
    done = callqa_ok("rescore", "--scorecard-version", "2", env=env)
    assert (
        f"re-scored {len(others)} calls of default version 2 on version 3, {len(others)} changed score"
        in " ".join(done.stdout.split())
    )
    with factory() as s:
        assert set(s.scalars(select(CallScore.scorecard_version))) == {"3"}
        kept = s.scalars(select(ScoreRevision)).all()
        assert sorted(r.call_id for r in kept) == [first, *others] and {round(r.total) for r in kept} == {76}


def test_the_versions_and_a_versions_items_read_over_json(server) -> None:  # type: ignore[no-untyped-def]
    live, factory = server
    admin = live.token("admin")
    assert httpx.get(f"{live.url}/api/scorecards", headers=live.token("qa"), timeout=60).status_code == 403
    listed = httpx.get(f"{live.url}/api/scorecards", headers=admin, timeout=60).json()
    cards = {c["id"]: c for c in listed}
    assert sorted(cards) == ["default", "default-zh"]  # one card per YAML file (English, Chinese)
    assert (cards["default"]["active_version"], cards["default"]["calls_scored"]) == ("2", {"2": CALLS})
    assert [(v["version"], v["state"]) for v in cards["default"]["versions"]] == [("2", "published")]
    two = httpx.get(f"{live.url}/api/scorecards/default/versions/2", headers=admin, timeout=60).json()
    courtesy = next(i for i in two["items"] if i["id"] == "courtesy")
    assert (courtesy["critical"], courtesy["cap"], courtesy["applies_when"]) == (True, 40, None)
    assert two["attitude_items"] == ["courtesy", "empathy"] and two["composite_weights"]["skills"] == 0.3

    # A draft (stored as the editor stores it): an auto-fail closing without N/A, a conditional item.
    data = scorecard_to_data(load_scorecard(None))
    data["items"][1] |= {"critical": True, "cap": 0, "na_allowed": False}
    data["items"].append(
        {
            "id": "hold_music",
            "verdict": "no_dead_air",
            "weight": 5,
            "applies_when": {"item": "greeting", "verdict": "fail"},
        }
    )
    with factory() as s:
        draft = save_draft(s, "default", data, user_id=None, based_on="2", note="hold music")
        s.commit()
        draft_id = draft.id
    missing = httpx.get(f"{live.url}/api/scorecards/default/versions/3", headers=admin, timeout=60)
    assert missing.status_code == 404 and "no version '3'" in missing.json()["detail"]
    read = httpx.get(f"{live.url}/api/scorecards/default/versions/draft", headers=admin, timeout=60).json()
    assert read["version"]["state"] == "draft" and read["version"]["based_on"] == "2"
    by_id = {i["id"]: i for i in read["items"]}
    assert (by_id["closing"]["cap"], by_id["closing"]["na_allowed"]) == (0, False)
    assert by_id["hold_music"]["applies_when"] == {"item": "greeting", "passed": False}

    with factory() as s:
        publish_draft(s, draft_id, user_id=None)
        s.commit()
    listed = httpx.get(f"{live.url}/api/scorecards", headers=admin, timeout=60).json()
    cards = {c["id"]: c for c in listed}
    assert cards["default"]["active_version"] == "3" and cards["default-zh"]["active_version"] == "2"
    assert [v["version"] for v in cards["default"]["versions"]] == ["3", "2"]
    three = httpx.get(f"{live.url}/api/scorecards/default/versions/3", headers=admin, timeout=60).json()
    assert three["items"] == read["items"] and three["version"]["published_at"] is not None
    none = httpx.get(f"{live.url}/api/scorecards/default/versions/draft", headers=admin, timeout=60)
    assert none.status_code == 404


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_reading_the_scorecards_writes_nothing(backend: str, tmp_path: Path) -> None:
    """The server stores the file cards when it starts (no worker here), so the reads that list them, the
    JSON list and the editor's listing page, leave every stored row as it was."""
    url = fresh_database(backend, tmp_path)
    seed_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)

    def stored() -> list[tuple[str, str | None, object]]:
        with factory() as s:
            rows = s.scalars(select(ScorecardVersion).order_by(ScorecardVersion.id))
            return [(r.scorecard_id, r.version, r.updated_at) for r in rows]

    assert stored() == []
    env = server_env(tmp_path / "data", database_url=url)
    with live_server(env, tmp_path / "server.log", worker=False) as live:
        at_start = stored()
        assert {(card, version) for card, version, _ in at_start} == {("default", "2"), ("default-zh", "2")}
        admin = live.token("admin")
        listed = httpx.get(f"{live.url}/api/scorecards", headers=admin, timeout=60)
        assert listed.status_code == 200
        assert {c["id"]: c["active_version"] for c in listed.json()} == {"default": "2", "default-zh": "2"}
        assert live.page_client("admin").get("/admin/scorecards").status_code == 200
        assert stored() == at_start
    engine.dispose()
