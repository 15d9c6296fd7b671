"""Scorecards over JSON, the read side (admins, as the editor pages): every card with its versions and how
many calls each scored, and one version's items (`draft` for the draft). Editing and publishing are the
editor pages'; the same service functions (scoring.versions)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.deps import AdminUser, SessionDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.schemas_scorecards import ScorecardRead, ScorecardVersionItemsRead, ScorecardVersionRead
from callqa.services.processing import file_scorecards
from scoring.versions import (
    calls_scored,
    card_of,
    draft_of,
    list_versions,
    published_version,
    stored_or_file_card,
)

router = APIRouter(prefix="/api/scorecards", tags=["scorecards"], responses=ERROR_RESPONSES)

DRAFT = "draft"
"""The version path of a card's draft (published versions are named by their version text)."""


@router.get("", response_model=list[ScorecardRead])
def scorecards(session: SessionDep, user: AdminUser, settings: SettingsDep) -> list[ScorecardRead]:
    """Every card (one per id of the YAML files, stored by the server when it started), with its versions.
    Reads only: a card not stored yet is listed as its file has it, with no versions."""
    scored = calls_scored(session)
    cards = [stored_or_file_card(session, card) for card in file_scorecards(settings)]
    return [
        ScorecardRead(
            id=card.id,
            active_version=card.version,
            versions=[ScorecardVersionRead.model_validate(v) for v in list_versions(session, card.id)],
            calls_scored={version: n for (card_id, version), n in scored.items() if card_id == card.id},
        )
        for card in cards
    ]


@router.get("/{card_id}/versions/{version}", response_model=ScorecardVersionItemsRead)
def scorecard_version_items(
    card_id: str, version: str, session: SessionDep, user: AdminUser
) -> ScorecardVersionItemsRead:
    """A version's items, weights, critical caps, N/A and conditions (`draft`: the draft; 404 when none)."""
    row = draft_of(session, card_id) if version == DRAFT else published_version(session, card_id, version)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"scorecard {card_id!r} has no version {version!r}")
    return ScorecardVersionItemsRead.of(row, card_of(row))
