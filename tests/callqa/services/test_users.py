from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from callqa.services.users import UserError, authenticate, create_user, reset_password, set_active
from models import utcnow
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
