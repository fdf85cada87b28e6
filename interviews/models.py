"""Imports every model, so that metadata (migrations, create_all) sees the whole schema."""

from interviews.audit.models import AuditEvent
from interviews.auth.models import RecoveryCode, Role, User
from interviews.inbox.models import AttendeeReply, InboxMessage
from interviews.invitations.models import (
    BookingFailure,
    CandidateRequest,
    Invitation,
    InvitationLetter,
    InvitationStatus,
    RequestKind,
    Slot,
)
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.notes.models import (
    MemberPoll,
    Note,
    NoteDraft,
    NoteRevision,
    PdfJobStatus,
    PollResult,
    Question,
    QuestionList,
    RecordPdfJob,
    Visibility,
)
from interviews.questionnaires.models import (
    Commitment,
    CommitmentPosition,
    Questionnaire,
    QuestionnaireQuestion,
    QuestionnaireResponse,
    QuestionnaireSection,
    QuestionnaireSubmission,
    QuestionnaireVersion,
)
from interviews.races.models import Candidate, Race, Stage
from interviews.scheduling.models import Interview, InterviewStatus, Location, LocationKind, PanelSeat
from interviews.votes.models import Ballot, BallotBoxTotal, RollEntry, Vote, VoteOption, VotePublication, VoteStatus

__all__ = [
    "AttendeeReply",
    "AuditEvent",
    "Ballot",
    "BallotBoxTotal",
    "BookingFailure",
    "Candidate",
    "CandidateRequest",
    "Commitment",
    "CommitmentPosition",
    "InboxMessage",
    "Interview",
    "InterviewStatus",
    "Invitation",
    "InvitationLetter",
    "InvitationStatus",
    "Location",
    "LocationKind",
    "MemberPoll",
    "Note",
    "NoteDraft",
    "NoteRevision",
    "OutboxMessage",
    "OutboxStatus",
    "PanelSeat",
    "PdfJobStatus",
    "PollResult",
    "Question",
    "QuestionList",
    "Questionnaire",
    "QuestionnaireQuestion",
    "QuestionnaireResponse",
    "QuestionnaireSection",
    "QuestionnaireSubmission",
    "QuestionnaireVersion",
    "Race",
    "RecordPdfJob",
    "RecoveryCode",
    "RequestKind",
    "Role",
    "RollEntry",
    "Slot",
    "Stage",
    "User",
    "Visibility",
    "Vote",
    "VoteOption",
    "VotePublication",
    "VoteStatus",
]
