"""SQLAlchemy ORM tables. Importing this package registers every table on `Base.metadata`."""

from models.appraisal import APPRAISAL_KINDS, Appraisal
from models.base import Base, make_engine, make_session_factory, session_scope, utcnow
from models.calibration import (
    CALIBRATION_STATES,
    CalibrationMember,
    CalibrationSession,
    CalibrationSet,
    CalibrationSetSession,
    CalibrationVerdict,
)
from models.callbacks import CALLBACK_OUTCOMES, CALLBACK_STATUSES, Callback, CallbackAttempt, CallbackOffer
from models.calls import CALL_STATUSES, Call, Recording, TranscriptSegment
from models.feedback import CallFeedback
from models.jobs import JOB_STATUSES, Job
from models.live import LIVE_ALERT_KINDS, LiveAlert
from models.ops import Lease, WorkerBeat
from models.people import ROLES, Agent, AgentSkill, Skill, User
from models.privacy import AuditEvent, PiiOriginal
from models.quality import CallScore, ComplaintReading, QAResult
from models.review import DISPUTE_STATES, REVIEW_STATES, Dispute, ItemVerdict, ManualScore, Review
from models.routing import (
    AGENT_PRESENCE,
    CONSULT_STATES,
    HOTLINE_STATES,
    AgentPresence,
    CallConsult,
    CallEscalation,
    HotlineCall,
    RoutingChange,
    RoutingDecision,
    RoutingSync,
)
from models.sampling import SAMPLING_PERIODS, PlanSample, SamplingPlan
from models.scorecards import SCORECARD_STATES, ScorecardVersion, ScoreRevision
from models.sessions import LoginSession
from models.teams import Team, TeamMember
from models.webhooks import DELIVERY_STATUSES, WebhookDelivery, WebhookSubscription
from models.workflow import EvaluationComment, EvaluationEvent, Notification

__all__ = [
    "AGENT_PRESENCE",
    "APPRAISAL_KINDS",
    "CALIBRATION_STATES",
    "CALLBACK_OUTCOMES",
    "CALLBACK_STATUSES",
    "CALL_STATUSES",
    "CONSULT_STATES",
    "DELIVERY_STATUSES",
    "DISPUTE_STATES",
    "HOTLINE_STATES",
    "JOB_STATUSES",
    "LIVE_ALERT_KINDS",
    "REVIEW_STATES",
    "ROLES",
    "SAMPLING_PERIODS",
    "SCORECARD_STATES",
    "Agent",
    "AgentPresence",
    "AgentSkill",
    "Appraisal",
    "AuditEvent",
    "Base",
    "CalibrationMember",
    "CalibrationSession",
    "CalibrationSet",
    "CalibrationSetSession",
    "CalibrationVerdict",
    "Call",
    "CallConsult",
    "CallEscalation",
    "CallFeedback",
    "CallScore",
    "Callback",
    "CallbackAttempt",
    "CallbackOffer",
    "ComplaintReading",
    "Dispute",
    "EvaluationComment",
    "EvaluationEvent",
    "HotlineCall",
    "ItemVerdict",
    "Job",
    "Lease",
    "LiveAlert",
    "LoginSession",
    "ManualScore",
    "Notification",
    "PiiOriginal",
    "PlanSample",
    "QAResult",
    "Recording",
    "Review",
    "RoutingChange",
    "RoutingDecision",
    "RoutingSync",
    "SamplingPlan",
    "ScoreRevision",
    "ScorecardVersion",
    "Skill",
    "Team",
    "TeamMember",
    "TranscriptSegment",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkerBeat",
    "make_engine",
    "make_session_factory",
    "session_scope",
    "utcnow",
]
