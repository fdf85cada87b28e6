"""Who may use each route: a table written by hand from the product, held against the app.

`WHO_MAY` below says, endpoint by endpoint, who the product lets in. It is written from the
design's account of the people and their jobs, never read from the views' `@allow(...)`
declarations, so a declaration loosened or tightened by mistake fails here:

- the table names every endpoint of the URL map, and only those, with the methods each answers;
- every endpoint's declared policy lets in exactly the visitors the table names;
- every route, tried with each of its methods by every kind of visitor, answers as the table says,
  never with a 500, and a refusal leaves every stored row as it was.

A route added later fails the first check until someone writes its line here.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter, Rule

from tests.conftest import changed_tables, stored_rows

ANONYMOUS = "anonymous"
VIEWERS = (ANONYMOUS, "leader", "staff", "admin")

# The visitors, in the product's words.
ANYONE = frozenset(VIEWERS)  # candidates on their signed link, calendar apps holding a feed token, the public
ACCOUNTS = frozenset({"leader", "staff", "admin"})  # anyone signed in, for their own things
READERS = frozenset({"leader", "staff", "admin"})  # leadership and the office, who read a race's record
OFFICE = frozenset({"staff", "admin"})  # the political department: it administers, and is secretary of the vote
ADMIN = frozenset({"admin"})  # accounts and the audit trail

GET, POST, FORM = frozenset({"GET"}), frozenset({"POST"}), frozenset({"GET", "POST"})

# endpoint: (methods it answers, who may use it). A view has one policy for all its methods, so one line
# covers them; the methods are named so that a state change which starts answering GET shows here.
# Rules a view applies on top (the vote's roll, the interview's panel, the token in a signed link) are
# tested with their features: this table is the door.
WHO_MAY: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # --- the front door and one's own account -----------------------------------------------
    "main.index": (GET, ANYONE),
    "main.healthz": (GET, ANYONE),  # the load balancer's probe
    "main.dashboard": (GET, ACCOUNTS),
    "auth.login": (FORM, ANYONE),
    "auth.login_code": (FORM, ANYONE),  # the second factor: the half-finished sign-in in the session guards it
    "auth.login_enrol": (FORM, ANYONE),  # setting up a second factor on the way in, likewise
    "auth.forgot_password": (FORM, ANYONE),
    "auth.reset_link": (GET, ANYONE),  # the e-mailed link: its token is the guard
    "auth.reset_password": (FORM, ANYONE),
    "auth.logout": (POST, ACCOUNTS),
    "auth.account": (FORM, ACCOUNTS),  # one's own password and preferences
    "auth.two_factor_settings": (FORM, ACCOUNTS),
    "auth.two_factor_disable": (POST, ACCOUNTS),
    "auth.two_factor_recovery_codes": (POST, ACCOUNTS),
    # --- accounts and the audit trail: the admin's alone ------------------------------------
    "auth.users": (GET, ADMIN),
    "auth.user_new": (FORM, ADMIN),
    "auth.user_edit": (FORM, ADMIN),
    "auth.user_set_active": (POST, ADMIN),
    "auth.user_reset_two_factor": (POST, ADMIN),
    "auth.user_sign_out_everywhere": (POST, ADMIN),
    "audit.index": (GET, ADMIN),
    # --- races and candidates: the office sets them up, leadership reads them ---------------
    "races.index": (GET, READERS),
    "races.detail": (GET, READERS),
    "races.new": (FORM, OFFICE),
    "races.edit": (FORM, OFFICE),
    "races.set_closed": (POST, OFFICE),
    "races.panel": (FORM, OFFICE),
    "races.candidate_new": (FORM, OFFICE),
    "races.candidate_edit": (FORM, OFFICE),
    "races.candidate_withdraw": (POST, OFFICE),
    # --- the invitation: the office writes and sends it; leadership may read the ledger -----
    "invitations.letter": (FORM, OFFICE),
    "invitations.add_slot": (POST, OFFICE),
    "invitations.add_slots": (POST, OFFICE),  # several at once: previewed, then saved
    "invitations.remove_slot": (POST, OFFICE),
    "invitations.send": (POST, OFFICE),
    "invitations.resend": (POST, OFFICE),
    "invitations.withdraw": (POST, OFFICE),
    "invitations.request_handled": (POST, OFFICE),
    "invitations.ledger": (GET, READERS),
    # --- the candidate's signed link: public routes, the token is the guard -----------------
    "invitations.candidate": (GET, ANYONE),
    "invitations.candidate_ics": (GET, ANYONE),
    "invitations.candidate_book": (POST, ANYONE),
    "invitations.candidate_decline": (POST, ANYONE),
    "invitations.candidate_other_times": (POST, ANYONE),
    "invitations.candidate_reschedule": (POST, ANYONE),
    "invitations.candidate_move": (POST, ANYONE),  # the campaign moves its own booking, until the cut-off
    "invitations.candidate_cancel": (POST, ANYONE),
    # --- scheduling: the office books, moves and cancels; leadership sees the interviews ----
    "scheduling.index": (GET, READERS),
    "scheduling.interview_detail": (GET, READERS),
    "scheduling.new": (FORM, OFFICE),
    "scheduling.move": (FORM, OFFICE),
    "scheduling.cancel": (FORM, OFFICE),
    "scheduling.panel": (FORM, OFFICE),
    "scheduling.set_status": (POST, READERS),  # completed / no-show, by the office or a leader on its panel
    "scheduling.locations": (GET, OFFICE),
    "scheduling.location_new": (FORM, OFFICE),
    "scheduling.location_edit": (FORM, OFFICE),
    "scheduling.location_set_active": (POST, OFFICE),
    # --- calendars: one's own feed page; the feeds themselves open with their token ----------
    "calendar.my_feed": (GET, ACCOUNTS),
    "calendar.rotate": (POST, ACCOUNTS),
    "calendar.personal_feed": (GET, ANYONE),
    "calendar.all_feed": (GET, ANYONE),
    "calendar.race_feed": (GET, ANYONE),
    "calendar.interview_ics": (GET, READERS),
    # --- notes: leadership writes them (the panel) and reads them by visibility --------------
    "notes.interview_notes": (GET, READERS),
    "notes.write_general": (FORM, READERS),
    "notes.write": (FORM, READERS),
    "notes.save_draft": (POST, READERS),
    "notes.submit": (POST, READERS),
    "notes.history": (GET, READERS),
    "notes.revision": (GET, READERS),
    "notes.questions": (GET, READERS),
    "notes.edit_questions": (FORM, OFFICE),
    # --- the record book and search -----------------------------------------------------------
    "notes.record_book": (GET, READERS),
    "notes.record_book_as_pdf": (GET, READERS),
    "notes.request_record_book_pdf": (POST, READERS),
    "notes.record_book_pdf_file": (GET, READERS),
    "notes.record_book_as_json": (GET, READERS),
    "notes.interviews_as_csv": (GET, READERS),
    "notes.notes_as_csv": (GET, READERS),
    "notes.search": (GET, READERS),
    # --- member polls: the office records them ------------------------------------------------
    "notes.new_poll": (FORM, OFFICE),
    "notes.edit_poll": (FORM, OFFICE),
    "notes.delete_poll": (POST, OFFICE),
    # --- votes: the office is secretary; members cast their own ballot; the public sees the slate
    "votes.rule_edit": (FORM, OFFICE),
    "votes.race_votes": (GET, READERS),
    "votes.new": (FORM, OFFICE),
    "votes.edit": (FORM, OFFICE),
    "votes.show": (GET, READERS),
    "votes.open_vote": (POST, OFFICE),
    "votes.presence": (FORM, OFFICE),
    "votes.paper": (FORM, OFFICE),
    "votes.close": (POST, OFFICE),
    "votes.finalise": (POST, OFFICE),
    "votes.publish": (POST, OFFICE),
    "votes.cast": (POST, ACCOUNTS),  # then only a member on the vote's roll
    "votes.record_json": (GET, READERS),
    "votes.public": (GET, ANYONE),  # a published final result; anything else is a 404
    # --- the public slate: published decisions only, and their feeds -----------------------------
    "slate.index": (GET, ANYONE),
    "slate.json_feed": (GET, ANYONE),
    "slate.atom": (GET, ANYONE),
    # --- decision paths: readers see where the race stands; the office sets and runs the stages
    "decisions.path": (GET, READERS),
    "decisions.apply_preset": (POST, OFFICE),
    "decisions.add_stage": (POST, OFFICE),
    "decisions.edit_stage": (FORM, OFFICE),
    "decisions.remove_stage": (POST, OFFICE),
    "decisions.prepare": (FORM, OFFICE),
    "decisions.rescind": (FORM, OFFICE),
    # --- bodies: the office keeps who sits on each body that votes, and with what weight ---------
    "bodies.index": (GET, OFFICE),
    "bodies.create": (POST, OFFICE),
    "bodies.show": (GET, OFFICE),
    "bodies.sync_default": (POST, OFFICE),  # the voting members' body, brought up to date from the accounts
    "bodies.add_member": (POST, OFFICE),
    "bodies.end_member": (POST, OFFICE),
    "bodies.change_weight": (POST, OFFICE),
    "bodies.import_roll": (FORM, OFFICE),
    # --- the questionnaire: the office writes it; readers of the record read the answers --------
    "questionnaires.manage": (GET, OFFICE),
    "questionnaires.edit": (FORM, OFFICE),
    "questionnaires.settings": (POST, OFFICE),
    "questionnaires.send": (POST, OFFICE),
    "questionnaires.version": (GET, READERS),
    "questionnaires.responses": (GET, READERS),
    "questionnaires.answers_csv": (GET, READERS),
    # --- commitments sought: the office lists them; staff or the race's panel record positions --
    "questionnaires.commitments": (GET, READERS),
    "questionnaires.add_commitment": (POST, OFFICE),
    "questionnaires.edit_commitment": (POST, OFFICE),
    "questionnaires.remove_commitment": (POST, OFFICE),
    "questionnaires.record_position": (POST, READERS),  # then only staff and the race's panel
    # --- the campaign's questionnaire, behind its invitation's signed link ----------------------
    "questionnaires.campaign_form": (FORM, ANYONE),
    "questionnaires.campaign_draft": (POST, ANYONE),
    "questionnaires.campaign_review": (GET, ANYONE),
    "questionnaires.campaign_submit": (POST, ANYONE),
    "questionnaires.campaign_sent": (GET, ANYONE),
    "questionnaires.campaign_sent_pdf": (GET, ANYONE),
    # --- the outbox: the office watches and retries mail ---------------------------------------
    "mail.outbox": (GET, OFFICE),
    "mail.message": (GET, OFFICE),
    "mail.message_ics": (GET, OFFICE),
    "mail.retry": (POST, OFFICE),
    # --- the inbox: the office reads what came back to the organiser's mailbox -------------------
    "inbox.index": (GET, OFFICE),
    "inbox.message": (GET, OFFICE),
}

DUMMY = {"int": 987654, "string": "no-such-thing", "path": "no/such/thing", "default": "no-such-thing"}


def _url(rule: Rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        kind = "int" if isinstance(converter, IntegerConverter) else type(converter).__name__
        values[name] = DUMMY.get(kind.replace("Converter", "").lower(), DUMMY["default"])
    return rule.build(values, append_unknown=False)[1]


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _methods_by_endpoint(app) -> dict[str, frozenset[str]]:
    methods: dict[str, set[str]] = {}
    for rule, method in _routes(app):
        methods.setdefault(rule.endpoint, set()).add(method)
    return {endpoint: frozenset(found) for endpoint, found in methods.items()}


def _let_in(policy: frozenset[str]) -> frozenset[str]:
    """The visitors a declared policy admits, spelled out here rather than asked of the app's `permits`."""
    if "public" in policy:
        return ANYONE
    if "signed-in" in policy:
        return ACCOUNTS
    return frozenset(policy)


def test_the_table_names_every_endpoint_and_only_those(app):
    endpoints = set(_methods_by_endpoint(app))
    assert sorted(endpoints - set(WHO_MAY)) == [], "endpoints with no line in WHO_MAY: write who may use them"
    assert sorted(set(WHO_MAY) - endpoints) == [], "WHO_MAY names endpoints the app does not have"


def test_the_table_names_the_methods_each_endpoint_answers(app):
    wrong = {
        endpoint: (sorted(found), sorted(WHO_MAY[endpoint][0]))
        for endpoint, found in _methods_by_endpoint(app).items()
        if endpoint in WHO_MAY and found != WHO_MAY[endpoint][0]
    }
    assert wrong == {}, f"endpoint: (methods it answers, methods the table names): {wrong}"


def test_every_route_declares_a_policy(app):
    undeclared = [
        rule.endpoint
        for rule, _ in _routes(app)
        if getattr(app.view_functions[rule.endpoint], "access_policy", None) is None
    ]
    assert undeclared == [], f"routes without @allow(...): {undeclared}"


def test_policies_name_only_known_roles(app):
    known = {"public", "signed-in", "leader", "staff", "admin"}
    for rule, _ in _routes(app):
        assert app.view_functions[rule.endpoint].access_policy <= known


def test_each_declared_policy_lets_in_whom_the_table_names(app):
    differences = []
    for endpoint in sorted(_methods_by_endpoint(app)):
        policy = getattr(app.view_functions[endpoint], "access_policy", frozenset())
        if endpoint in WHO_MAY and _let_in(policy) != WHO_MAY[endpoint][1]:
            differences.append(
                f"{endpoint}: @allow{tuple(sorted(policy))} lets in {sorted(_let_in(policy))},"
                f" the table says {sorted(WHO_MAY[endpoint][1])}"
            )
    assert differences == [], "\n".join(differences)


def _answer_problems(response, who: frozenset[str], viewer: str) -> list[str]:
    """What is wrong with one answer, given who the table lets in; empty when it is right."""
    status = response.status_code
    # A refusal for want of signing in sends to the login page with the page to come back to.
    asked_to_sign_in = response.headers.get("Location", "").startswith("/login?next=")
    if status >= 500:
        return [f"answered {status}"]
    if who == ANYONE:
        # Open to all: what guards these is the token in the address, and a made-up one may be refused.
        return ["asked a visitor to sign in on a public route"] if asked_to_sign_in else []
    if viewer in who:
        return [f"refused ({status}) a visitor the table lets in"] if status == 403 or asked_to_sign_in else []
    if viewer == ANONYMOUS:
        return (
            [] if status == 302 and asked_to_sign_in else [f"answered {status}, not a sign-in, to an anonymous visitor"]
        )
    return [] if status == 403 else [f"let in ({status}) a role the table does not name"]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_route_answers_every_visitor_as_the_table_says(app, make_user, viewer):
    user = make_user(viewer) if viewer != ANONYMOUS else None
    client = app.test_client()
    problems: list[str] = []
    checked = 0
    for rule, method in _routes(app):
        who = WHO_MAY[rule.endpoint][1] if rule.endpoint in WHO_MAY else frozenset()
        url = _url(rule)
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        before = stored_rows()  # small: the sweep's database holds one account
        response = client.open(url, method=method)
        found = _answer_problems(response, who, viewer) if rule.endpoint in WHO_MAY else ["has no line in WHO_MAY"]
        refused = viewer not in who or response.status_code >= 400
        if refused and (changed := changed_tables(before)):
            found.append(f"was refused ({response.status_code}) but changed what is stored in {changed}")
        problems += [f"{method} {url} ({rule.endpoint}, the table says {sorted(who)}) as {viewer}: {p}" for p in found]
        checked += 1
    assert problems == [], "\n".join(problems)
    # Every line of the table was tried by this visitor, with each of its methods.
    assert checked >= sum(len(methods) for methods, _ in WHO_MAY.values())
