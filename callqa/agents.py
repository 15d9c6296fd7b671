"""Agents' skills: skills are named once and shared; proficiency 1–5 per agent. Functions flush only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agent, AgentSkill, Skill


def set_skills(session: Session, agent: Agent, skills: dict[str, int]) -> None:
    """Replace `agent`'s skills with `skills` (name → proficiency), creating unknown skill names."""
    agent.skills.clear()
    session.flush()
    for name, level in skills.items():
        skill = session.scalar(select(Skill).where(Skill.name == name))
        if skill is None:
            skill = Skill(name=name)
            session.add(skill)
        agent.skills.append(AgentSkill(skill=skill, proficiency=level))
    session.flush()
