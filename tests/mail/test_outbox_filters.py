"""The outbox lists newest first, filtered by status, kind, recipient and race, and searched."""

from __future__ import annotations

import re

from interviews.extensions import db
from interviews.mail.models import OutboxStatus


def _subjects(page: str) -> list[str]:
    return re.findall(r'<a href="/outbox/\d+">([^<]+)</a>', page)


def test_filters_narrow_the_list_and_the_tab_counts_alike(client, auth, make_message, make_race):
    governor, mayor = make_race("2026 Governor"), make_race("2027 Mayor")
    auth.login("staff")
    make_message(subject="Invitation: Governor", kind="invitation", race_id=governor.id, to=["Jo <jo@gov.example.com>"])
    make_message(subject="Invitation: Mayor", kind="invitation", race_id=mayor.id, to=["ann@mayor.example.com"])
    make_message(
        subject="Updated invitation: Mayor", kind="calendar-update", race_id=mayor.id, to=["ANN@mayor.example.com"]
    )
    sent = make_message(
        subject="Reminder: Mayor", kind="invitation_reminder", race_id=mayor.id, to=["ann@mayor.example.com"]
    )
    sent.status = OutboxStatus.sent
    db.session.commit()

    everything = client.get("/outbox/").get_data(as_text=True)
    # Newest first.
    assert _subjects(everything) == ["Updated invitation: Mayor", "Invitation: Mayor", "Invitation: Governor"]
    assert _subjects(client.get(f"/outbox/?race={mayor.id}").get_data(as_text=True)) == [
        "Updated invitation: Mayor",
        "Invitation: Mayor",
    ]
    assert _subjects(client.get("/outbox/?kind=invitation").get_data(as_text=True)) == [
        "Invitation: Mayor",
        "Invitation: Governor",
    ]
    by_recipient = client.get("/outbox/?to=Ann@Mayor").get_data(as_text=True)  # any case
    assert _subjects(by_recipient) == ["Updated invitation: Mayor", "Invitation: Mayor"]
    # The tabs count what the filters let through: two waiting, one sent, none failed.
    assert re.search(r"Waiting\s*<span class=\"badge\">2</span>", by_recipient)
    assert re.search(r"Sent\s*<span class=\"badge\">1</span>", by_recipient)
    # A tab link keeps the filters.
    assert 'href="/outbox/?status=sent&amp;to=Ann@Mayor"' in by_recipient
    combined = client.get(f"/outbox/?status=sent&race={mayor.id}&kind=invitation_reminder").get_data(as_text=True)
    assert _subjects(combined) == ["Reminder: Mayor"]
    assert "No message in this tab matches the filters." in client.get(
        f"/outbox/?race={governor.id}&kind=calendar-update"
    ).get_data(as_text=True)


def test_search_reads_subjects_addresses_and_text_and_takes_wildcards_literally(client, auth, make_message):
    auth.login("staff")
    make_message(subject="Invitation one", text="Please choose a time: 50% of slots are gone")
    make_message(subject="Invitation two", text="Nothing special", to=["scheduler_x@campaign.example.com"])
    make_message(subject="Invitation three", text="Plain")
    assert _subjects(client.get("/outbox/?q=50%25").get_data(as_text=True)) == ["Invitation one"]
    assert _subjects(client.get("/outbox/?q=%25").get_data(as_text=True)) == ["Invitation one"]  # "%" is a character
    assert _subjects(client.get("/outbox/?q=scheduler_x").get_data(as_text=True)) == ["Invitation two"]
    assert _subjects(client.get("/outbox/?q=_x@").get_data(as_text=True)) == ["Invitation two"]
    assert _subjects(client.get("/outbox/?q=INVITATION THREE").get_data(as_text=True)) == ["Invitation three"]


def test_junk_in_the_filters_is_ignored_never_an_error(client, auth, make_message):
    auth.login("staff")
    make_message(subject="Still listed")
    for query in ("race=abc", "race=99999999999999", "q=" + "x" * 5000, "to=%0d%0aBcc:", "status=nope"):
        response = client.get(f"/outbox/?{query}")
        assert response.status_code == 200, query
    assert client.get("/outbox/?kind=%00").status_code == 400  # the app refuses NUL bytes everywhere
    assert "Still listed" in client.get("/outbox/?race=abc&status=nope").get_data(as_text=True)


def test_a_filtered_page_costs_the_same_queries_for_few_or_many_messages(
    client, auth, make_message, make_race, count_queries
):
    race = make_race()
    auth.login("staff")

    def cost() -> int:
        with count_queries() as q:
            page = client.get(f"/outbox/?race={race.id}&q=Invitation&page=2").get_data(as_text=True)
        assert "Page 2 of" in page
        return q.count

    for n in range(55):
        make_message(subject=f"Invitation {n}", race_id=race.id)
    few = cost()
    for n in range(60):
        make_message(subject=f"Invitation more {n}", race_id=race.id)
    assert cost() == few
