"""Every route, tried by every kind of visitor, answers what its declared policy says.

The routes come from the app's URL map, so a route added later is covered without editing this
file, and a route without a declared policy fails here.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from interviews.access import PUBLIC, SIGNED_IN, permits

VIEWERS = (None, "leader", "staff", "admin")
DUMMY = {"int": 987654, "string": "no-such-thing", "path": "no/such/thing", "default": "no-such-thing"}


def _url(rule: Rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__.replace("Converter", "").lower()
        values[name] = DUMMY.get("int" if converter in ("integer", "int") else converter, DUMMY["default"])
    return rule.build(values, append_unknown=False)[1]


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_declares_a_policy(app):
    undeclared = [
        rule.endpoint
        for rule, _ in _routes(app)
        if getattr(app.view_functions[rule.endpoint], "access_policy", None) is None
    ]
    assert undeclared == [], f"routes without @allow(...): {undeclared}"


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v or "anonymous")
def test_every_route_answers_as_its_policy_says(app, make_user, viewer):
    user = make_user(viewer) if viewer else None
    client = app.test_client()
    checked = 0
    for rule, method in _routes(app):
        policy = app.view_functions[rule.endpoint].access_policy
        url = _url(rule)
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = str(user.id)
                session["_fresh"] = True
        response = client.open(url, method=method)
        where = f"{method} {url} ({rule.endpoint}, policy {sorted(policy)}) as {viewer or 'anonymous'}"
        assert response.status_code < 500, f"{where} answered {response.status_code}"
        # A refusal for want of signing in sends to the login page with the page to come back to.
        asked_to_sign_in = response.headers.get("Location", "").startswith("/login?next=")
        if PUBLIC in policy:
            assert not asked_to_sign_in, f"{where} asked a public visitor to sign in"
        elif viewer is None:
            assert response.status_code == 302 and asked_to_sign_in, f"{where} did not ask to sign in"
        elif permits(policy, viewer):
            assert response.status_code != 403, f"{where} refused a permitted role"
            assert not asked_to_sign_in, f"{where} asked a signed-in user to sign in"
        else:
            assert response.status_code == 403, f"{where} let in a role its policy does not name"
        checked += 1
    assert checked > 10


def test_policies_name_only_known_roles(app):
    known = {PUBLIC, SIGNED_IN, "leader", "staff", "admin"}
    for rule, _ in _routes(app):
        assert app.view_functions[rule.endpoint].access_policy <= known
