from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from callqa.services.users import (
    UserError,
    authenticate,
    create_user,
    reset_password,
    set_active,
    team_of,
    update_agent,
)
from callqa.services.users import create_agent as create_agent_record
from models import Agent, utcnow
from routing.teams import create_team
from tests.conftest import create_agent


def test_passwords_are_hashed_and_checked(session: Session) -> None:
    user = create_user(session, username="qa1", password="long-enough-pw", role="qa")
    assert user.password_hash.startswith("$argon2") and "long-enough-pw" not in user.password_hash
    assert authenticate(session, username="qa1", password="long-enough-pw") is user
    assert authenticate(session, username="qa1", password="wrong-password") is None
    assert authenticate(session, username="nobody", password="long-enough-pw") is None


def test_user_rules(session: Session) -> None:
    with pytest.raises(UserError, match="role"):
        create_user(session, username="a", password="long-enough-pw", role="boss")
    with pytest.raises(UserError, match="8 characters"):
        create_user(session, username="a", password="short", role="qa")
    with pytest.raises(UserError, match="agent"):
        create_user(session, username="a", password="long-enough-pw", role="agent")
    agent = create_agent(session)
    create_user(session, username="a", password="long-enough-pw", role="agent", agent_id=agent.id)
    with pytest.raises(UserError, match="exists"):
        create_user(session, username="a", password="long-enough-pw", role="qa")


def test_disable_enable_and_reset_end_the_old_access(session: Session) -> None:
    from models import LoginSession

    admin = create_user(session, username="boss1", password="long-enough-pw", role="admin")
    qa = create_user(session, username="qa2", password="long-enough-pw", role="qa")
    with pytest.raises(UserError, match="your own"):
        set_active(session, admin, active=False, by=admin)
    set_active(session, qa, active=False, by=admin)
    assert authenticate(session, username="qa2", password="long-enough-pw") is None
    set_active(session, qa, active=True, by=admin)
    session.add(LoginSession(user_id=qa.id, token_hash="x" * 64, csrf="c", expires_at=utcnow()))
    session.flush()
    with pytest.raises(UserError, match="8 characters"):
        reset_password(session, qa, password="short")
    reset_password(session, qa, password="another-long-pw")
    assert authenticate(session, username="qa2", password="another-long-pw") is qa
    assert session.query(LoginSession).filter_by(user_id=qa.id).count() == 0


def test_teams_supervisors_and_agents_as_admins_add_them(session: Session) -> None:
    with pytest.raises(UserError, match="lead an existing team"):
        create_user(session, username="sam", password="long-enough-pw", role="supervisor")
    team = create_team(session, "Billing")
    sam = create_user(session, username="sam", password="long-enough-pw", role="supervisor", team_id=team.id)
    assert sam.team_id == team.id
    qa = create_user(session, username="q", password="long-enough-pw", role="qa", team_id=team.id)
    assert qa.team_id is None  # a team is what a supervisor leads; others have none

    raj = create_agent_record(
        session,
        name="Raj",
        skills={"billing": 4},
        languages=["zh", "en"],
        extension="PJSIP/1",
        tier=2,
        team_id=team.id,
    )
    assert ({s.skill.name: s.proficiency for s in raj.skills}, raj.languages, raj.tier) == (
        {"billing": 4},
        ["en", "zh"],
        2,
    )
    # A refused extension leaves no half-made agent behind in the caller's transaction.
    with pytest.raises(UserError, match="PJSIP/1"):
        create_agent_record(session, name="Copy", skills={"x": 2}, languages=["en"], extension="PJSIP/1")
    assert session.scalars(select(Agent).where(Agent.name == "Copy")).all() == []
    with pytest.raises(UserError, match="proficiency"):
        create_agent_record(session, name="Bad", skills={"x": 9}, languages=["en"])
    assert team_of(session, raj.id) == team.id
    update_agent(session, raj, active=False, team_id=None)
    assert (raj.active, team_of(session, raj.id)) == (False, None)
