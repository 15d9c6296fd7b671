"""Calls, their recordings and transcript segments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.people import Agent
    from models.quality import CallScore, QAResult

CALL_STATUSES = ("received", "queued", "processing", "done", "failed")


class Call(Base):
    """One handled call. `status` follows CALL_STATUSES as the recording moves through the pipeline."""

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_agent_started", "agent_id", "started_at"),
        Index("uq_calls_pbx_call_id", "pbx_call_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    caller_number: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="en")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="received")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    pbx_call_id: Mapped[str | None] = mapped_column(String(120))
    """The telephone system's id of the call (Asterisk's uniqueid/linkedid): one recorded call per id."""
    direction: Mapped[str | None] = mapped_column(String(8))
    """"inbound" or "outbound" as the PBX reported it (None: not reported)."""
    hotline_call_id: Mapped[int | None] = mapped_column(ForeignKey("hotline_calls.id"), index=True)
    """The routed hotline call this recording is of (its queue wait, skills asked, agent, tier); the key
    was added without copying `calls` (migration 0017)."""

    agent: Mapped[Agent | None] = relationship(back_populates="calls")
    recording: Mapped[Recording | None] = relationship(back_populates="call", cascade="all, delete-orphan")
    segments: Mapped[list[TranscriptSegment]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="TranscriptSegment.start_s"
    )
    qa_result: Mapped[QAResult | None] = relationship(back_populates="call", cascade="all, delete-orphan")
    score: Mapped[CallScore | None] = relationship(back_populates="call", cascade="all, delete-orphan")


class Recording(Base):
    """The stored audio of a call. `path` is server-chosen (never a client's filename)."""

    __tablename__ = "recordings"
    # One stored copy per content: a second ingest of the same file is refused by the database too, even
    # when two arrive at once (the application's check runs before either is committed).
    __table_args__ = (
        Index(
            "uq_recordings_sha256",
            "sha256",
            unique=True,
            sqlite_where=text("duplicate_of IS NULL"),
            postgresql_where=text("duplicate_of IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    path: Mapped[str] = mapped_column(String(500))
    original_filename: Mapped[str | None] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))
    sample_rate: Mapped[int]
    channels: Mapped[int]
    duration_s: Mapped[float]
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    """Of the content as received (hex): duplicate detection keys on it, so it is kept when the stored
    file is replaced by its redacted copy."""
    duplicate_of: Mapped[int | None]
    """Only on copies stored before the content hash was unique (migration 0016): the recording id they
    repeat. New copies are refused, never marked."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="recording")


class TranscriptSegment(Base):
    """One utterance: times in seconds from the start of the recording, confidence 0–1.

    The columns are one `transcription.recognizer.Segment` in its `Transcript.to_json` form: `words`
    holds its words (``[{"text", "start", "end", "conf"}]``), `alternatives` its n-best hypotheses.
    """

    __tablename__ = "transcript_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    speaker: Mapped[str] = mapped_column(String(16))
    start_s: Mapped[float]
    end_s: Mapped[float]
    text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(default=1.0)
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    alternatives: Mapped[list[str]] = mapped_column(JSON, default=list)
    engine: Mapped[str] = mapped_column(String(80), default="")

    call: Mapped[Call] = relationship(back_populates="segments")
