"""Staff write the questionnaire: versions, freezing, the digest each campaign's copy carries, copying
another race's, the settings, and a frozen or stale questionnaire edited (a message, nothing lost)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.invitations import services as invitations
from interviews.mail.models import OutboxMessage
from interviews.questionnaires import services
from interviews.questionnaires.models import QuestionnaireVersion
from interviews.races.candidates import add_candidate
from interviews.types import utcnow
from tests.conftest import changed_tables, stored_rows
from tests.questionnaires.conftest import questionnaire_input, response_of


def _row(n: int, **fields: str) -> dict[str, str]:
    return {f"questions-{n}-{name}": value for name, value in fields.items()}


def _form(race, **overrides):  # type: ignore[no-untyped-def]
    deadline = (utcnow() + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT17:00")
    data = {
        "title": "Questions for the candidates",
        "intro": "Answer in writing, please.",
        "respond_by": deadline,
        "timezone": "America/New_York",
        "base_version": "0",
        "base_revision": "0",
        **_row(0, section="Organising", kind="yes_no", text="Will you support card check?", required="y"),
        **_row(1, section="Wages", kind="single_choice", text="A $20 minimum wage?", choices="Yes\nNo\n\nYes"),
        **_row(2, section="Organising", kind="number", text="How many organisers would you fund?", min_value="0"),
        **_row(3, section="", kind="long_text", text=""),  # an empty row: ignored
    }
    data.update(overrides)
    return data


def test_staff_write_a_questionnaire_grouped_by_section_and_numbered_in_order(client, auth, make_race):
    race = make_race()
    staff = auth.login("staff")
    assert "Write the questionnaire" in client.get(f"/races/{race.id}/questionnaire").get_data(as_text=True)
    response = client.post(f"/races/{race.id}/questionnaire/edit", data=_form(race))
    assert response.status_code == 302, response.get_data(as_text=True)
    version = db.session.scalars(select(QuestionnaireVersion)).one()
    # Questions under the same section are grouped, sections in the order first met, numbered across.
    assert [(s.title, [(q.position, q.text) for q in s.questions]) for s in version.sections] == [
        ("Organising", [(1, "Will you support card check?"), (2, "How many organisers would you fund?")]),
        ("Wages", [(3, "A $20 minimum wage?")]),
    ]
    assert version.questions[2].choices == ["Yes", "No"]  # blank lines and repeats dropped
    assert version.frozen_at is None and version.version == 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "questionnaire.created")).one()
    assert event.actor_id == staff.id
    page = client.get(f"/races/{race.id}/questionnaire/versions/1").get_data(as_text=True)
    assert "Answer: one of: Yes; No." in page and "Answer: a number of at least 0." in page


def test_bad_questionnaires_are_refused_with_a_message_and_nothing_stored(client, auth, make_race):
    race = make_race()
    auth.login("staff")
    cases = {
        "a choice question needs at least two choices": _row(1, kind="single_choice", text="Pick", choices="Only"),
        "the lowest number allowed is above the highest": _row(
            2, kind="number", text="How many?", min_value="10", max_value="5"
        ),
        "The deadline must be in the future.": {"respond_by": "2020-01-01T10:00"},
        "A questionnaire needs at least one question.": {
            **_row(0, text=""),
            **_row(1, text=""),
            **_row(2, text=""),
        },
        "does not exist": {"respond_by": "2030-03-10T02:30"},  # the clocks skip that hour in New York
    }
    for message, changes in cases.items():
        before = stored_rows()
        response = client.post(f"/races/{race.id}/questionnaire/edit", data=_form(race, **changes))
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True), message
        if "at least one question" not in message:  # what staff typed is kept
            assert "Will you support card check?" in response.get_data(as_text=True)
        assert changed_tables(before) == []


def test_a_deadline_after_the_links_expire_is_refused(q_race, staffer):
    race, version, _ = q_race(send=False)
    # The letter's deadline is 5 days away and links work 30 days longer.
    try:
        services.save_questionnaire(
            race, questionnaire_input(timedelta(days=40)), base=(1, version.revision), actor=staffer
        )
    except services.QuestionnaireError as error:
        assert "links stop working" in str(error)
    else:
        raise AssertionError("a deadline nobody could reach was accepted")


def test_a_frozen_questionnaire_edited_becomes_the_next_version_and_new_campaigns_get_it(q_race, client, auth, staffer):
    race, version, invitations_sent = q_race()
    first_digest = version.digest
    auth.login(staffer)
    page = client.get(f"/races/{race.id}/questionnaire/edit").get_data(as_text=True)
    assert "Version 1 has been sent to campaigns, so it stays exactly as they received it." in page
    form = _form(race, base_version="1", base_revision=str(version.revision))
    response = client.post(f"/races/{race.id}/questionnaire/edit", data=form)
    assert response.status_code == 302
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your changes are saved as version 2" in flashed
    versions = db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].digest == first_digest and versions[0].title == "Candidate questionnaire 2027"
    assert versions[1].frozen_at is None
    # A candidate who qualifies now gets version 2; the earlier campaigns keep version 1.
    late_entry = add_candidate(
        race, {"name": "Candidate C", "contact_name": "C", "contact_email": "c@campaign.example.com"}, actor=staffer
    )
    invitation = invitations.invite(race.letter, late_entry, actor=staffer)
    db.session.commit()
    assert response_of(invitation).version.version == 2 and response_of(invitation).digest == versions[1].digest
    assert {response_of(i).digest for i in invitations_sent} == {first_digest}
    ledger = client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True)
    assert f'version 1 sha256 <code class="digest">{first_digest}</code>' in ledger
    assert "2 versions" in ledger
    # Each campaign's cell names the version it got and the start of that version's digest.
    late_digest = versions[1].digest
    cells = re.findall(r'Version (\d) · <code class="digest" title="sha256 (\w+)">(\w+)…</code>', ledger)
    assert sorted(cells) == sorted(
        [("1", first_digest, first_digest[:12])] * len(invitations_sent) + [("2", late_digest, late_digest[:12])]
    )
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("questionnaire.%"))).all()
    assert "questionnaire.versioned" in actions and actions.count("questionnaire.frozen") == 2


def test_an_editor_opened_before_someone_saved_is_refused_with_the_text_kept(client, auth, make_race, staffer):
    race = make_race()
    services.save_questionnaire(race, questionnaire_input(), base=(0, 0), actor=staffer)
    db.session.commit()
    auth.login("staff")
    before = stored_rows()
    # Opened on version 1, revision 1; a colleague saved revision 2 meanwhile.
    services.save_questionnaire(race, questionnaire_input(title="Colleague's title"), base=(1, 1), actor=staffer)
    db.session.commit()
    before = stored_rows()
    stale = client.post(
        f"/races/{race.id}/questionnaire/edit",
        data=_form(race, title="My title", base_version="1", base_revision="1"),
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "after you opened this page" in page and 'value="My title"' in page
    assert changed_tables(before) == []


def test_nothing_changed_is_said_not_saved(q_race, staffer):
    race, version, _ = q_race(send=False)
    try:
        services.save_questionnaire(
            race,
            questionnaire_input(respond_by=version.respond_by),
            base=(1, version.revision),
            actor=staffer,
        )
    except services.QuestionnaireError as error:
        assert "Nothing changed" in str(error)
    else:
        raise AssertionError("an unchanged questionnaire made a new save")


def test_copying_another_races_questionnaire_opens_it_in_the_editor(client, auth, q_race, make_race):
    source, _, _ = q_race(send=False)
    target = make_race("2027 Mayor")
    auth.login("staff")
    manage = client.get(f"/races/{target.id}/questionnaire").get_data(as_text=True)
    assert "Copy another race's questionnaire" in manage and source.title in manage
    before = stored_rows()
    page = client.get(f"/races/{target.id}/questionnaire/edit?copy_from={source.id}").get_data(as_text=True)
    assert f"Copied from {source.title}" in page and "Will you sign the PLA pledge?" in page
    assert changed_tables(before) == []  # copying saves nothing by itself
    form = {
        "title": "Candidate questionnaire 2027",
        "respond_by": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT17:00"),
        "timezone": "America/New_York",
        "base_version": "0",
        "base_revision": "0",
        "copied_from": str(source.id),
        **_row(0, section="Organising", kind="yes_no", text="Will you support card check?", required="y"),
    }
    assert client.post(f"/races/{target.id}/questionnaire/edit", data=form).status_code == 302
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "questionnaire.created").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.changes["copied_from"] == source.title


def test_campaigns_invited_before_the_questionnaire_get_it_by_e_mail(client, auth, letter_race, staffer):
    race, letter = letter_race(candidates=2)
    invitations.send(letter, to="all", actor=staffer)
    services.save_questionnaire(race, questionnaire_input(), base=(0, 0), actor=staffer)
    db.session.commit()
    auth.login(staffer)
    page = client.get(f"/races/{race.id}/questionnaire").get_data(as_text=True)
    assert "Invited before this questionnaire existed" in page
    response = client.post(f"/races/{race.id}/questionnaire/send")
    assert response.status_code == 302
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "questionnaire")).all()
    assert sorted(m.to_addresses for m in mails) == [
        "schedulera@campaign.example.com",
        "schedulerb@campaign.example.com",
    ]
    assert all("/questionnaire" in m.text_body for m in mails)
    again = client.post(f"/races/{race.id}/questionnaire/send")
    assert "already has the questionnaire" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_settings_are_saved_with_an_audit_event_and_bad_ones_refused(client, auth, q_race, staffer):
    race, version, _ = q_race(send=False)
    auth.login(staffer)
    url = f"/races/{race.id}/questionnaire/settings"
    before = stored_rows()
    refused = client.post(url, data={"reminder_days": "99"}, follow_redirects=True)
    assert "Between 0 (no reminder) and 60 days." in refused.get_data(as_text=True)
    assert changed_tables(before) == []
    client.post(url, data={"required_before_booking": "y", "accept_late": "y", "reminder_days": "5"})
    db.session.refresh(version.questionnaire)
    settings = version.questionnaire
    assert (settings.required_before_booking, settings.accept_late, settings.reminder_days) == (True, True, 5)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "questionnaire.settings_changed")).one()
    assert event.changes == {
        "accept_late": [False, True],
        "reminder_days": [3, 5],
        "required_before_booking": [False, True],
    }
