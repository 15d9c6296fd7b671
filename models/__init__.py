"""SQLAlchemy ORM tables. Importing this package registers every table on `Base.metadata`."""

from models.base import Base, make_engine, make_session_factory, session_scope, utcnow
from models.calls import CALL_STATUSES, Call, Recording, TranscriptSegment
from models.jobs import JOB_STATUSES, Job
from models.people import ROLES, Agent, AgentSkill, Skill, User
from models.quality import CallScore, QAResult, QAViolation

__all__ = [
    "CALL_STATUSES",
    "JOB_STATUSES",
    "ROLES",
    "Agent",
    "AgentSkill",
    "Base",
    "Call",
    "CallScore",
    "Job",
    "QAResult",
    "QAViolation",
    "Recording",
    "Skill",
    "TranscriptSegment",
    "User",
    "make_engine",
    "make_session_factory",
    "session_scope",
    "utcnow",
]
