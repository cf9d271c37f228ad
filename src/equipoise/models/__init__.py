"""ORM tables. Importing this package registers every table on ``Base.metadata``."""

from equipoise.models.audit import AuditEntry  # noqa: F401
from equipoise.models.auth import ApiToken, User, UserSession, user_teams  # noqa: F401
from equipoise.models.budgets import BudgetLine
from equipoise.models.case_extras import CaseMerge, CaseNote, CaseStatusChange  # noqa: F401
from equipoise.models.cases import Case
from equipoise.models.channels import Channel, ContactReason, reason_channels
from equipoise.models.commitments import Commitment  # noqa: F401
from equipoise.models.complaints import Complaint  # noqa: F401
from equipoise.models.contacts import Contact
from equipoise.models.customers import Customer
from equipoise.models.imports import ImportBatch, ImportEvent, ImportFile, ImportReject  # noqa: F401
from equipoise.models.knowledge import (  # noqa: F401
    KbArticle,
    KbArticleVersion,
    KbEmbedding,
    KbEvent,
    KbPosting,
    KbVote,
)
from equipoise.models.meta import DatasetFact
from equipoise.models.org import Agent, OrgUnit
from equipoise.models.outreach import OutboxMessage, Reminder  # noqa: F401
from equipoise.models.qa import QaReview  # noqa: F401
from equipoise.models.scenarios import Scenario, ScenarioRun  # noqa: F401
from equipoise.models.shifts import AgentShift
from equipoise.models.sla import BusinessCalendar, Holiday, SlaPolicy
from equipoise.models.survey_links import SurveyLink, SurveyLinkAnswer  # noqa: F401
from equipoise.models.surveys import SurveyResponse
from equipoise.models.webhooks import (  # noqa: F401
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "Agent", "AgentShift", "BudgetLine", "BusinessCalendar", "Case", "Channel", "Contact", "ContactReason",
    "Customer", "DatasetFact", "Holiday", "OrgUnit", "SlaPolicy", "SurveyResponse", "reason_channels",
]
