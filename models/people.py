"""Agents, their skills (with proficiency 1–5) and login users with roles."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.calls import Call

ROLES = ("agent", "qa", "supervisor", "admin")


class Agent(Base):
    """An agent. `languages` are the language codes they take calls in, `extension` their PBX endpoint
    (e.g. "PJSIP/1001"), `tier` 1 is offered calls before tier 2 and so on."""

    __tablename__ = "agents"
    __table_args__ = (Index("uq_agents_extension", "extension", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    employee_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    extension: Mapped[str | None] = mapped_column(String(80))
    tier: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    skills: Mapped[list[AgentSkill]] = relationship(back_populates="agent", cascade="all, delete-orphan")
    calls: Mapped[list[Call]] = relationship(back_populates="agent")


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class AgentSkill(Base):
    """An agent's proficiency in a skill: 1 (novice) to 5 (expert)."""

    __tablename__ = "agent_skills"
    __table_args__ = (CheckConstraint("proficiency BETWEEN 1 AND 5", name="proficiency_range"),)

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    proficiency: Mapped[int] = mapped_column(default=3)

    agent: Mapped[Agent] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class User(Base):
    """A login. `role` is one of ROLES; an `agent` user is linked to exactly one Agent; a `supervisor`
    works the queue and disputes of one team's agents (`team_id`, see models.teams), and sees no other
    agent's calls."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('agent', 'qa', 'supervisor', 'admin')", name="role_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agent: Mapped[Agent | None] = relationship()
