"""Pydantic models of the scorecard JSON routes (read side): each card's versions, and a version's items."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import ORMModel
from models import ScorecardVersion
from scoring.glossary import label
from scoring.scorecard import Scorecard


class ScorecardVersionRead(ORMModel):
    """One stored version: published (numbered, never changed) or the card's one draft."""

    id: int
    scorecard_id: str
    version: str | None = Field(description="As call scores name it; none for the draft.")
    number: int | None
    state: Literal["draft", "published"]
    based_on: str | None = Field(description="The version a draft was started from; none if imported.")
    note: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    published_by: int | None
    published_at: datetime | None


class ScorecardRead(BaseModel):
    id: str
    active_version: str = Field(description="The version new calls are scored with.")
    versions: list[ScorecardVersionRead] = Field(description="The draft first, then newest published.")
    calls_scored: dict[str, int] = Field(description="Version -> calls whose current score it made.")


class ConditionRead(BaseModel):
    item: str
    passed: bool = Field(description="The item applies only when `item` had this verdict.")


class ScoreItemRead(BaseModel):
    id: str
    label: str
    verdict: str = Field(description="What decides it: 'check:<name>' or a verdict kind.")
    weight: float
    critical: bool
    cap: float = Field(description="The most a call may score (0-100) when this critical item fails.")
    na_allowed: bool
    applies_when: ConditionRead | None


class ScorecardVersionItemsRead(BaseModel):
    version: ScorecardVersionRead
    items: list[ScoreItemRead]
    composite_weights: dict[str, float] = Field(description="Share (0-1) of each monthly composite part.")
    attitude_items: list[str]

    @classmethod
    def of(cls, row: ScorecardVersion, card: Scorecard) -> ScorecardVersionItemsRead:
        return cls(
            version=ScorecardVersionRead.model_validate(row),
            items=[
                ScoreItemRead(
                    id=i.id,
                    label=label(i.id),
                    verdict=i.verdict,
                    weight=i.weight,
                    critical=i.critical,
                    cap=i.cap,
                    na_allowed=i.na_allowed,
                    applies_when=(
                        ConditionRead(item=i.applies_when.item, passed=i.applies_when.passed)
                        if i.applies_when is not None
                        else None
                    ),
                )
                for i in card.items
            ],
            composite_weights=dict(card.composite_weights),
            attitude_items=list(card.attitude_items),
        )
