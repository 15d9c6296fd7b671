"""Pydantic models of the center-running route groups: appraisals (`/api/appraisals`) and teams."""

from __future__ import annotations

from pydantic import BaseModel, Field


class EvaluationIn(BaseModel):
    """An evaluation on the parts of the monthly composite (0–100 each) with an optional comment."""

    knowledge: float = Field(ge=0, le=100)
    skills: float = Field(ge=0, le=100)
    attitude: float = Field(ge=0, le=100)
    performance: float = Field(ge=0, le=100)
    comment: str = Field(default="", max_length=2000)

    def parts(self) -> dict[str, float]:
        return {
            "knowledge": self.knowledge,
            "skills": self.skills,
            "attitude": self.attitude,
            "performance": self.performance,
        }


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)


class TeamMembersIn(BaseModel):
    """The team's members from now on (agents in another team move to this one)."""

    agent_ids: list[int] = Field(max_length=1000)
