"""Pydantic models of the routing route groups: agents' routing profile and skills (`/api/agents`) and the
hotline a PBX/IVR drives (`/api/hotline`)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from api.schemas import LanguageCode, Proficiency
from models import Agent


class RoutingProfileIn(BaseModel):
    """How the hotline routes to an agent."""

    languages: list[LanguageCode] = Field(default=["en"], min_length=1, max_length=20)
    extension: str | None = Field(
        default=None, min_length=1, max_length=80, description="PBX endpoint, e.g. PJSIP/1001 or Agent/1001."
    )
    tier: int = Field(default=1, ge=1, le=9, description="Tier 1 is offered calls before tier 2, and so on.")


class AgentIn(RoutingProfileIn):
    name: str = Field(min_length=1, max_length=120)
    employee_no: str | None = Field(default=None, max_length=40)
    skills: dict[str, Proficiency] = Field(default_factory=dict)


class AgentSkillsRead(BaseModel):
    id: int
    name: str
    skills: dict[str, int]
    languages: list[str]
    extension: str | None
    tier: int

    @classmethod
    def of(cls, agent: Agent) -> AgentSkillsRead:
        return cls(
            id=agent.id,
            name=agent.name,
            skills={s.skill.name: s.proficiency for s in agent.skills},
            languages=agent.languages,
            extension=agent.extension,
            tier=agent.tier,
        )


class CallArrival(BaseModel):
    caller_number: str = Field(min_length=1, max_length=40)
    ivr_choice: str | None = Field(default=None, description="Menu choice, mapped to skills by the config.")
    skills: dict[str, Proficiency] | None = Field(
        default=None, description="Required skills → minimum proficiency; overrides ivr_choice."
    )
    language: LanguageCode = "en"
    pbx_call_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="The PBX's id of the call (Asterisk uniqueid).",
    )
    priority: int = Field(default=0, ge=0, le=100, description="Higher is served first (VIP).")


class CallbackRequest(BaseModel):
    """The caller asks to be called back (at `number`, default the caller's), due at `due_at` or within
    `CALLQA_CALLBACK_DUE_DAYS`."""

    number: str | None = Field(default=None, max_length=40)
    due_at: AwareDatetime | None = None


class EscalationRequest(BaseModel):
    """The agent on a live call hands it on (or consults, for a warm transfer) to a higher tier (default:
    the next configured one), needing `skills` there (default: that tier's skill queue for what the call
    needed so far, `tier_skills` in the routing YAML)."""

    reason: str = Field(min_length=1, max_length=500)
    to_tier: int | None = Field(default=None, ge=2, le=9)
    skills: dict[str, Proficiency] | None = None


class AgentStateChange(BaseModel):
    status: Literal["available", "break", "offline"]
