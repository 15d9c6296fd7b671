"""Calibration: several reviewers score the same call blind (none sees the machine's verdicts or another
reviewer's until the session is revealed), then compare per item, against an expert's key and the machine."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

CALIBRATION_STATES = ("open", "revealed")


class CalibrationSession(Base):
    """One call scored blind by its members. `expert_id`, when set, is the member whose verdicts are the
    key; without one the members' majority is. `state` is open (scoring) or revealed (results shown)."""

    __tablename__ = "calibration_sessions"
    __table_args__ = (CheckConstraint("state IN ('open', 'revealed')", name="state_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(10), default="open")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_at: Mapped[datetime | None]

    members: Mapped[list[CalibrationMember]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="CalibrationMember.user_id"
    )


class CalibrationMember(Base):
    """A reviewer asked to score the session's call; `submitted_at` once their verdicts are in (a member
    submits once: a second submission, e.g. a form sent twice, is refused)."""

    __tablename__ = "calibration_members"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    submitted_at: Mapped[datetime | None]

    session: Mapped[CalibrationSession] = relationship(back_populates="members")


class CalibrationVerdict(Base):
    """A member's verdict on one scorecard item: "pass", "fail" or "na", and why."""

    __tablename__ = "calibration_verdicts"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", "item"),
        CheckConstraint("verdict IN ('pass', 'fail', 'na')", name="verdict_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(80))
    verdict: Mapped[str] = mapped_column(String(4))
    comment: Mapped[str] = mapped_column(Text, default="")


class CalibrationSet(Base):
    """Several calls calibrated together (e.g. a week's five): one session per call, all with the same
    members and expert, scored blind until the set is revealed (its sessions with it), then summarised
    across the calls. `state` is open (scoring) or revealed."""

    __tablename__ = "calibration_sets"
    __table_args__ = (CheckConstraint("state IN ('open', 'revealed')", name="state_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(10), default="open")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_at: Mapped[datetime | None]

    sessions: Mapped[list[CalibrationSession]] = relationship(
        secondary="calibration_set_sessions", order_by="CalibrationSession.call_id"
    )


class CalibrationSetSession(Base):
    """A session (one call) of a set; a session belongs to one set at most."""

    __tablename__ = "calibration_set_sessions"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    set_id: Mapped[int] = mapped_column(ForeignKey("calibration_sets.id", ondelete="CASCADE"), index=True)
