"""Security headers on every response, request size limits, ids beyond the database's range, proxies."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter, Rule

CSP_MUST_SAY = ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'")
DUMMY = {"int": "987654", "default": "no-such-thing"}


def _urls(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        yield (
            rule,
            rule.build(
                {name: DUMMY["int"] if _is_int(rule, name) else DUMMY["default"] for name in rule.arguments},
                append_unknown=False,
            )[1],
        )


def _is_int(rule: Rule, name: str) -> bool:
    return isinstance(rule._converters[name], IntegerConverter)


def _check_headers(response, path: str) -> list[str]:
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    problems += [f"{path}: CSP lacks {part}" for part in CSP_MUST_SAY if part not in csp]
    if "'unsafe-inline'" in csp.split("style-src-attr")[0]:
        problems.append(f"{path}: CSP allows inline script or style elements")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        # A candidate's address carries their signed token: it must never be sent on as a Referer.
        "Referrer-Policy": "no-referrer" if path.startswith("/invitation/") else "same-origin",
    }
    for name, value in expected.items():
        if response.headers.get(name) != value:
            problems.append(f"{path}: {name} is {response.headers.get(name)!r}, not {value!r}")
    if "camera=()" not in response.headers.get("Permissions-Policy", ""):
        problems.append(f"{path}: no Permissions-Policy")
    return problems


@pytest.mark.parametrize("viewer", [None, "leader", "staff", "admin"], ids=lambda v: v or "anonymous")
def test_every_route_sends_the_security_headers(app, make_user, viewer):
    client = app.test_client()
    if viewer:
        user = make_user(viewer)
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
    problems: list[str] = []
    checked = 0
    for _rule, path in _urls(app):
        response = client.get(path)
        problems += _check_headers(response, path)
        assert "Strict-Transport-Security" not in response.headers  # only in production, behind HTTPS
        checked += 1
    # Error pages and static files too.
    problems += _check_headers(client.get("/no/such/page"), "/no/such/page")
    static = client.get("/static/app.css")
    problems += _check_headers(static, "/static/app.css")
    static.close()
    assert checked > 20 and problems == []


def test_production_adds_hsts(app_factory):
    production = app_factory(PRODUCTION=True)
    response = production.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")


@pytest.mark.parametrize(
    "path", ["/results/99999999999999999999999", "/races/2147483648", "/interviews/99999999999999999999"]
)
def test_ids_beyond_the_integer_range_are_404_not_500(client, auth, path):
    assert client.get(path).status_code == 404
    auth.login("staff")
    assert client.get(path).status_code == 404


def test_a_huge_anonymous_post_is_refused_before_it_is_read(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert 1024 * 1024 <= limit <= 16 * 1024 * 1024
    response = client.post(
        "/login", data=b"email=" + b"a" * (limit + 1), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "larger than this app accepts" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(("proxies", "seen"), [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_trusted_proxies_name_the_client_address(app_factory, proxies, seen):
    """Behind a proxy the client is the forwarded address, so rate limits key on people, not the proxy."""
    from flask import request

    from interviews.access import PUBLIC, allow

    app = app_factory(TRUSTED_PROXIES=proxies)

    @allow(PUBLIC)
    def whoami() -> str:
        return request.remote_addr or ""

    app.add_url_rule("/_test/whoami", view_func=whoami)
    response = app.test_client().get(
        "/_test/whoami", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert response.get_data(as_text=True) == seen
