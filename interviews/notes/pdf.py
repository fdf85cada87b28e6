"""The record book as a PDF (fpdf2), with the DejaVu Sans font shipped in static/fonts for any script."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from interviews.filters import format_date, format_datetime
from interviews.notes.polls import share
from interviews.notes.record import RecordBook

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


def record_book_pdf(book: RecordBook, organisation: str) -> bytes:
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
    for c in book.candidates:
        extra = ", ".join(
            x for x in (c.party, "incumbent" if c.incumbent else "", "withdrawn" if c.withdrawn else "") if x
        )
        doc.para(f"• {c.name}{f' ({extra})' if extra else ''}")

    doc.heading("Invitation ledger")
    if book.letter is None:
        doc.para("No invitation was sent.")
    else:
        names = {c.id: c.name for c in book.candidates}
        proof = (
            f"Every candidate received the same text: SHA-256 {next(iter(book.digests))}."
            if book.same_text
            else f"The copies differ: {len(book.digests)} different digests."
        )
        doc.para(f"“{book.letter.subject}”, reply by {format_datetime(book.letter.respond_by)}. {proof}", 9)
        for i in book.invitations:
            doc.para(f"• {names.get(i.candidate_id, '')}: {i.status.label}, sent {format_datetime(i.sent_at)}", 9)

    doc.heading("Interviews and notes")
    if not book.interviews:
        doc.para("No interviews.")
    names = {c.id: c.name for c in book.candidates}
    for interview in book.interviews:
        doc.heading(
            f"{names.get(interview.candidate_id, '')}: {format_datetime(interview.starts_at)} "
            f"({interview.status.label})",
            11,
        )
        doc.para(f"Panel: {', '.join(s.user.name for s in interview.panel_seats) or 'none'}.", 9)
        if interview.location:
            doc.para(f"Place: {interview.location.name}.", 9)
        for note in book.notes.get(interview.id, []):
            q = note.question
            about = f"Q{q.position}{f' ({q.topic})' if q.topic else ''}: {q.text}" if q else "General note"
            doc.para(
                f"{about}. {note.author.name}, {note.visibility.label.lower()}, version {note.version}, "
                f"{format_datetime(note.updated_at)}",
                8,
                indent=4,
            )
            doc.para(note.body, 10, indent=4)

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
            doc.para(f"• {names.get(r.candidate_id, '')}: {figure}", 9, indent=4)

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
    return bytes(doc.output())
