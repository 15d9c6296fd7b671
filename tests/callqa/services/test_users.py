from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from callqa.services.users import UserError, authenticate, create_user
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
