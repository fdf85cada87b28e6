"""The record book as a PDF (fpdf2), with the DejaVu Sans font shipped in static/fonts for any script."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from interviews.decisions.record import stages_json
from interviews.filters import format_date, format_datetime
from interviews.notes.polls import share
from interviews.notes.record import BATCH, RecordBook, interview_records, ledger_rows
from interviews.questionnaires.pdf import record_blocks

FONT = Path(__file__).resolve().parent.parent.parent / "static" / "fonts" / "DejaVuSans.ttf"


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.record_title = title
        self.add_font("DejaVu", "", str(FONT))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"{self.record_title} · page {self.page_no()}", align="C")

    def heading(self, text: str, size: int = 13) -> None:
        self.ln(3)
        self.set_font("DejaVu", size=size)
        self.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", size=10)

    def para(self, text: str, size: int = 10, indent: float = 0) -> None:
        self.set_font("DejaVu", size=size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def record_book_pdf(book: RecordBook, organisation: str, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The whole record book. Its lists are read in batches; `progress(done, total)` is told after
    each batch of interviews (the worker records it for the page that waits on a large book)."""
    race = book.race
    doc = _Document(f"Record book: {race.title}")
    doc.add_page()
    doc.heading(f"{organisation}: record book", 10)
    doc.heading(race.title, 18)
    rule = book.rule_in_words.rstrip(".")
    doc.para(f"Office: {race.office}. Jurisdiction: {race.jurisdiction}. Election: {format_date(race.election_date)}.")
    doc.para(f"Stage: {book.stage.label}. Rule: {rule}.")
    doc.para(
        f"Prepared for {book.viewer.name} on {format_datetime(book.generated_at)}; notes as they may read them.", 8
    )
    if book.locked:
        doc.para("The vote is final: this record is locked.", 9)

    doc.heading("Candidates")
    if not book.candidate_count:
        doc.para("No candidates.")
    for line in ledger_rows(book):
        c = line.candidate
        extra = ", ".join(
            x for x in (c.party, "incumbent" if c.incumbent else "", "withdrawn" if c.withdrawn else "") if x
        )
        doc.para(f"• {c.name}{f' ({extra})' if extra else ''}")

    doc.heading("Invitation ledger")
    if book.letter is None:
        doc.para("No invitation was sent.")
    else:
        proof = (
            f"Every candidate received the same text: SHA-256 {next(iter(book.digests))}."
            if book.same_text
            else f"The copies differ: {len(book.digests)} different digests."
        )
        doc.para(f"“{book.letter.subject}”, reply by {format_datetime(book.letter.respond_by)}. {proof}", 9)
        for line in ledger_rows(book):
            if line.invitation is not None:
                i = line.invitation
                doc.para(f"• {line.candidate.name}: {i.status.label}, sent {format_datetime(i.sent_at)}", 9)

    doc.heading("Interviews and notes")
    if not book.interview_count:
        doc.para("No interviews.")
    for done, record in enumerate(interview_records(book), start=1):
        interview = record.interview
        doc.heading(
            f"{interview.candidate.name}: {format_datetime(interview.starts_at)} ({interview.status.label})",
            11,
        )
        doc.para(f"Panel: {', '.join(s.user.name for s in interview.panel_seats) or 'none'}.", 9)
        if interview.location:
            doc.para(f"Place: {interview.location.name}.", 9)
        for note in record.notes:
            q = note.question
            about = f"Q{q.position}{f' ({q.topic})' if q.topic else ''}: {q.text}" if q else "General note"
            doc.para(
                f"{about}. {note.author.name}, {note.visibility.label.lower()}, version {note.version}, "
                f"{format_datetime(note.updated_at)}",
                8,
                indent=4,
            )
            doc.para(note.body, 10, indent=4)
        if progress is not None and done % BATCH == 0:
            progress(done, book.interview_count)

    if book.questionnaire is not None:
        # The questionnaire's part, written out by its feature as headings and paragraphs.
        for kind, text, size in record_blocks(book.questionnaire):
            (doc.heading if kind == "heading" else doc.para)(text, size)

    doc.heading("Member polls")
    if not book.polls:
        doc.para("No member polls recorded.")
    for poll in book.polls:
        doc.para(
            f"{poll.title}: {poll.method.label}, {format_date(poll.opens_on)} to {format_date(poll.closes_on)}, "
            f"sample {poll.sample_size:,}, overseen by {poll.overseen_by}.",
            9,
        )
        for r in poll.results:
            figure = f"{r.value}%" if poll.unit else f"{r.value:,.0f} ({share(poll, r)}%)"
            doc.para(f"• {r.candidate.name}: {figure}", 9, indent=4)

    if book.decision is not None:
        # The decision path: each stage's votes with their result in words and their digest.
        doc.heading("The decision, stage by stage")
        if book.decision.words:
            doc.para(book.decision.words)
        for entry in stages_json(book.decision):
            rule = (entry["rule"] or {}).get("in_words", "")
            doc.para(f"Stage {entry['position']}: {entry['name']} ({entry['body']}). {rule}.", 9)
            for vote in entry["votes"]:
                doc.para(
                    f"Vote of {vote['held_on']}: {vote['result']} ({vote['verdict']}). "
                    f"Record {vote['chain_position']} of the chain, digest {vote['digest']}",
                    8,
                    indent=4,
                )
            if not entry["votes"]:
                doc.para("Not voted yet.", 8, indent=4)

    doc.heading("Vote")
    final = book.final_vote
    if final is None:
        doc.para("No final vote yet.")
    else:
        doc.para(f"Held on {format_date(final.held_on)}. {final.result_text or final.outcome or ''}")
        if final.digest:
            doc.para(f"Final record: record {final.chain_position} of the chain, digest (SHA-256) {final.digest}", 8)
        if final.publication:
            published = final.publication
            doc.para(
                f"Published {format_datetime(published.published_at)}: record {published.chain_position} "
                f"of the chain, digest {published.digest}",
                8,
            )
            if published.statement:
                doc.para(published.statement, 9)
        if book.chain_head:
            doc.para(f"Chain head: record {book.chain_head.position} of the chain, head {book.chain_head.digest}", 8)
    if progress is not None:
        progress(book.interview_count, book.interview_count)
    return bytes(doc.output())
