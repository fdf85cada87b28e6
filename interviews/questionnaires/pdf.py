"""The questionnaire on paper: the campaign's copy of what it sent, and the record book's part.

Text only goes into the PDF as text (fpdf2 writes strings, never markup), in DejaVu Sans for any script.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from interviews.filters import format_datetime
from interviews.questionnaires.content import answer_words, changed_questions, explanation_of
from interviews.questionnaires.models import QuestionnaireResponse, QuestionnaireSubmission, QuestionnaireVersion
from interviews.questionnaires.record import QuestionnaireRecord

FONT = Path(__file__).resolve().parent.parent.parent / "static" / "fonts" / "DejaVuSans.ttf"

# (kind, text, size): "heading" or "para"; the record book's PDF writes them with its own styles.
Block = tuple[str, str, int]


def _answer_blocks(
    version: QuestionnaireVersion, submission: QuestionnaireSubmission, only_changed: bool
) -> list[Block]:
    blocks: list[Block] = []
    questions = version.questions
    if only_changed:
        before = next((s for s in submission.response.submissions if s.number == submission.number - 1), None)
        questions = changed_questions(version, before.answers if before else None, submission.answers)
    for q in questions:
        answer = submission.answers.get(q.key)
        blocks.append(("para", f"{q.position}. {q.text}", 8))
        blocks.append(("para", answer_words(q, answer) or "(no answer)", 10))
        if explanation_of(answer):
            blocks.append(("para", explanation_of(answer), 9))
    return blocks


def _response_blocks(version: QuestionnaireVersion, response: QuestionnaireResponse, tz: str | None) -> list[Block]:
    final = response.record_submission
    if final is None:
        return [("para", f"Not returned ({response.status.label.lower()}).", 9)]
    when = format_datetime(final.submitted_at, tz)
    late = ", after the deadline" if final.late else ""
    blocks: list[Block] = [("para", f"Answers sent {when} (submission {final.number}{late}).", 9)]
    blocks += _answer_blocks(version, final, only_changed=False)
    for later in response.late_submissions:
        blocks.append(
            (
                "para",
                f"LATE: changed after the deadline, {format_datetime(later.submitted_at, tz)} "
                f"(submission {later.number}):",
                9,
            )
        )
        blocks += _answer_blocks(version, later, only_changed=True)
    return blocks


def record_blocks(record: QuestionnaireRecord, tz: str | None = None) -> list[Block]:
    """The record book's "Questionnaire" and "Commitments" parts."""
    blocks: list[Block] = [("heading", "Questionnaire", 13)]
    if not record.given_versions:
        blocks.append(("para", "No questionnaire was sent." if record.exists else "No questionnaire.", 10))
    for version in record.given_versions:
        given = record.answered_with(version)
        blocks.append(
            (
                "para",
                f"Version {version.version}: “{version.title}”, answer by "
                f"{format_datetime(version.respond_by, tz)}. Received by {len(given)} campaign(s), "
                f"each copy with SHA-256 {version.digest}.",
                9,
            )
        )
        for candidate, response in given:
            blocks.append(("heading", candidate.name, 11))
            if response.digest != version.digest:
                blocks.append(("para", f"This campaign's copy has another digest: {response.digest}.", 9))
            blocks += _response_blocks(version, response, tz)
    matrix = record.matrix
    blocks.append(("heading", "Commitments sought", 13))
    if matrix.empty:
        blocks.append(("para", "No commitments listed.", 10))
    for candidate in matrix.candidates:
        blocks.append(("para", candidate.name + (" (withdrawn)" if candidate.withdrawn else ""), 10))
        for commitment in matrix.commitments:
            cell = matrix.cell(candidate, commitment)
            if cell is None:
                blocks.append(("para", f"• {commitment.text}: not recorded", 9))
                continue
            source = f"{cell.source.label}, {cell.source_date:%d %b %Y}"
            if cell.source_url:
                source += f", {cell.source_url}"
            text = f"• {commitment.text}: {cell.stance.label.upper()} ({source}; recorded by {cell.recorded_by.name})"
            blocks.append(("para", text, 9))
            if cell.quote:
                blocks.append(("para", f"“{cell.quote}”", 8))
    return blocks


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.doc_title = title
        self.add_font("DejaVu", "", str(FONT))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"{self.doc_title} · page {self.page_no()}", align="C")

    def write_block(self, kind: str, text: str, size: int) -> None:
        if kind == "heading":
            self.ln(3)
        self.set_font("DejaVu", size=size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def submission_pdf(submission: QuestionnaireSubmission, organisation: str, tz: str) -> bytes:
    """The campaign's copy: what it sent, when, and the digests that prove both texts."""
    response = submission.response
    version = response.version
    candidate = response.invitation.candidate
    doc = _Document(f"{version.title}: {candidate.name}")
    doc.add_page()
    late = " (after the deadline)" if submission.late else ""
    blocks: list[Block] = [
        ("para", f"{organisation}: candidate questionnaire", 10),
        ("heading", version.title, 16),
        ("para", f"{candidate.name}, {candidate.race.office}", 11),
        ("para", f"Submission {submission.number}, sent {format_datetime(submission.submitted_at, tz)}{late}.", 9),
        ("para", f"Questionnaire version {version.version}, SHA-256 {response.digest}.", 8),
        ("para", f"These answers: SHA-256 {submission.digest}.", 8),
    ]
    for section in version.sections:
        blocks.append(("heading", section.title or "Questions", 12))
        for q in section.questions:
            answer = submission.answers.get(q.key)
            blocks.append(("para", f"{q.position}. {q.text}", 9))
            blocks.append(("para", answer_words(q, answer) or "(no answer)", 10))
            if explanation_of(answer):
                blocks.append(("para", explanation_of(answer), 9))
    for kind, text, size in blocks:
        doc.write_block(kind, text, size)
    return bytes(doc.output())
