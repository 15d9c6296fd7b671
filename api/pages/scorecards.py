"""Scorecard editor pages (admins): every scorecard with its versions and how many calls each scored; an
editor that saves a draft (items, weights, critical and auto-fail items, N/A allowed, conditions), shows
every problem beside its row with nothing typed lost, and publishes the draft as the next version; YAML
export of any version and import as a draft. The same service functions as the worker (scoring.versions)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.deps import AdminPageUser, SessionDep, SettingsDep, parse_id
from api.pages.rendering import check_csrf, redirect, render
from api.pages.scorecard_form import (
    ItemRow,
    attach_problems,
    data_from_rows,
    rows_from_card,
    rows_from_form,
    verdict_choices,
)
from callqa.services.processing import file_scorecards
from callqa.settings import Settings
from models import ScorecardVersion, User
from qa.script import load_script_template, packaged_languages
from scoring.exceptions import ScorecardError, ScorecardStateError
from scoring.scorecard import scorecard_to_data
from scoring.versions import (
    active_version,
    calls_scored,
    card_of,
    discard_draft,
    draft_of,
    list_versions,
    publish_draft,
    published_version,
    save_draft,
    stored_or_file_card,
)

router = APIRouter()


@lru_cache(maxsize=4)
def _checks(script_path: Path | None) -> tuple[str, ...]:
    names: set[str] = set()
    for language in packaged_languages():
        script = load_script_template(script_path, language=language)
        names |= set(script.checks) | set(script.procedures)
    return tuple(sorted(names))


def known_checks(settings: Settings) -> list[str]:
    """The script checks a `check:<name>` item may name: those of the call scripts of every language."""
    return list(_checks(settings.script_path))


def _back(card_id: str, *, error: str = "", msg: str = "") -> RedirectResponse:
    """To the editor, with an error or a message said on it."""
    return redirect(f"/admin/scorecards/{card_id}", **({"error": error} if error else {"msg": msg}))


def _stored(session: Session, card_id: str) -> ScorecardVersion:
    active = active_version(session, card_id)
    if active is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no scorecard {card_id!r}")
    return active


@router.get("/admin/scorecards", response_class=HTMLResponse)
def scorecards_page(
    request: Request, session: SessionDep, user: AdminPageUser, settings: SettingsDep
) -> HTMLResponse:
    cards = [stored_or_file_card(session, card) for card in file_scorecards(settings)]
    return render(
        request,
        "scorecards.html",
        user,
        cards=[(card, list_versions(session, card.id)) for card in cards],
        scored=calls_scored(session),
        names=dict(session.execute(select(User.id, User.username)).all()),
    )


def _editor(
    request: Request,
    session: Session,
    user: User,
    settings: Settings,
    card_id: str,
    *,
    rows: list[ItemRow] | None = None,
    problems: list[str] | None = None,
    note: str = "",
    yaml_text: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    active = _stored(session, card_id)
    draft = draft_of(session, card_id)
    base = card_of(draft or active)
    items = [r.id for r in rows] if rows is not None else [i.id for i in base.items]
    page = render(
        request,
        "scorecard_edit.html",
        user,
        card_id=card_id,
        active=active,
        draft=draft,
        rows=rows if rows is not None else rows_from_card(base),
        item_ids=[i for i in items if i],
        problems=problems or [],
        note=note if rows is not None else (draft.note if draft else ""),
        yaml_text=yaml_text,
        choices=verdict_choices(known_checks(settings)),
        versions=[v for v in list_versions(session, card_id) if v.state == "published"],
        names=dict(session.execute(select(User.id, User.username)).all()),
        error=request.query_params.get("error", ""),
    )
    page.status_code = status_code
    return page


@router.get("/admin/scorecards/{card_id}", response_class=HTMLResponse)
def editor_page(
    card_id: str, request: Request, session: SessionDep, user: AdminPageUser, settings: SettingsDep
) -> HTMLResponse:
    return _editor(request, session, user, settings, card_id)


async def editor_form(request: Request) -> FormData:
    """The editor's form, whose field names (`<field>__<row>`) depend on its row count, parsed up front
    so the route itself runs off the event loop."""
    return await request.form()


def _save(
    session: Session,
    user: User,
    settings: Settings,
    card_id: str,
    data: dict[str, Any],
    form: FormData,
) -> ScorecardVersion:
    return save_draft(
        session,
        card_id,
        data,
        user_id=user.id,
        based_on=str(form.get("based_on", "")) or None,
        note=str(form.get("note", "")).strip()[:500],
        known_checks=known_checks(settings),
        draft_id=parse_id(str(form.get("draft_id", ""))),
    )


@router.post("/admin/scorecards/{card_id}", response_model=None)
def save_page(
    card_id: str,
    request: Request,
    session: SessionDep,
    user: AdminPageUser,
    settings: SettingsDep,
    form: Annotated[FormData, Depends(editor_form)],
) -> Response:
    check_csrf(request, str(form.get("csrf", "")))
    active = _stored(session, card_id)
    rows = rows_from_form(form)
    composite = scorecard_to_data(card_of(active)).get("composite")
    data, kept = data_from_rows(rows, composite)
    note = str(form.get("note", ""))
    try:
        _save(session, user, settings, card_id, data, form)
    except ScorecardStateError as exc:
        return _editor(
            request,
            session,
            user,
            settings,
            card_id,
            rows=rows,
            problems=[str(exc)],
            note=note,
            status_code=409,
        )
    except ScorecardError as exc:
        problems = attach_problems(rows, exc.problems, kept)
        return _editor(
            request,
            session,
            user,
            settings,
            card_id,
            rows=rows,
            problems=problems,
            note=note,
            status_code=422,
        )
    return _back(card_id, msg="Draft saved: it scores no call until you publish it")


@router.post("/admin/scorecards/{card_id}/import", response_model=None)
def import_page(
    card_id: str,
    request: Request,
    session: SessionDep,
    user: AdminPageUser,
    settings: SettingsDep,
    form: Annotated[FormData, Depends(editor_form)],
) -> Response:
    check_csrf(request, str(form.get("csrf", "")))
    _stored(session, card_id)
    text = str(form.get("yaml", ""))
    try:
        data = yaml.safe_load(text)
        if not isinstance(data, dict):
            raise ScorecardError("the YAML is not a scorecard (a mapping with items)")
        _save(session, user, settings, card_id, data, form)
    except yaml.YAMLError as exc:
        problems = [f"not valid YAML: {exc}"]
        return _editor(
            request, session, user, settings, card_id, problems=problems, yaml_text=text, status_code=422
        )
    except ScorecardError as exc:
        return _editor(
            request,
            session,
            user,
            settings,
            card_id,
            problems=list(exc.problems),
            yaml_text=text,
            status_code=422,
        )
    return _back(card_id, msg="YAML imported as the draft: check it, then publish it")


@router.post("/admin/scorecards/{card_id}/publish")
def publish_page(
    card_id: str,
    request: Request,
    session: SessionDep,
    user: AdminPageUser,
    csrf: Annotated[str, Form()],
    draft_id: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    draft = parse_id(draft_id)
    try:
        if draft is None:
            raise ScorecardStateError("there is no draft to publish")
        row = publish_draft(session, draft, user_id=user.id)
    except ScorecardStateError as exc:  # e.g. the second click of a double click: said on the page
        return _back(card_id, error=str(exc))
    return _back(card_id, msg=f"Version {row.version} published: it scores every call from now on")


@router.post("/admin/scorecards/{card_id}/discard")
def discard_page(
    card_id: str,
    request: Request,
    session: SessionDep,
    user: AdminPageUser,
    csrf: Annotated[str, Form()],
    draft_id: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    draft = parse_id(draft_id)
    try:
        if draft is None:
            raise ScorecardStateError("there is no draft to discard")
        discard_draft(session, draft)
    except ScorecardStateError as exc:
        return _back(card_id, error=str(exc))
    return _back(card_id, msg="Draft discarded")


@router.get("/admin/scorecards/{card_id}/{version}.yaml")
def export_page(card_id: str, version: str, session: SessionDep, user: AdminPageUser) -> Response:
    row = published_version(session, card_id, version)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"scorecard {card_id!r} has no version {version!r}")
    text = yaml.safe_dump(scorecard_to_data(card_of(row)), sort_keys=False, allow_unicode=True)
    return Response(
        text,
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{card_id}-v{version}.yaml"'},
    )
