"""What every response and request gets, whatever the view: security headers, size limits, id bounds.

Headers: pages load scripts and styles only from our own origin (no inline script, so an injected
`<script>` cannot run), can never be framed, and a candidate's page, whose address carries its
signed token, never leaks that address in a Referer header.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

# Only our own scripts and styles; `style` attributes stay allowed (layout tweaks in templates),
# `<style>` elements and inline script do not.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-elem 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
HSTS = "max-age=63072000; includeSubDomains"
# Pages whose address is a secret (the candidate's signed link).
TOKEN_PATH_PREFIXES = ("/invitation/",)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    secret_address = request.path.startswith(TOKEN_PATH_PREFIXES)
    headers["Referrer-Policy"] = "no-referrer" if secret_address else "same-origin"
    return response


def add_hsts(response: Response) -> Response:
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


# The largest id the database's integer columns hold (PostgreSQL's INTEGER; SQLite's is larger, but
# one bound for both keeps URLs answering alike). A larger id cannot name a row: 404, not an overflow.
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every route: only ids the database can hold match, so others are a plain 404."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def register(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.after_request(add_security_headers)
    if app.config.get("PRODUCTION"):
        app.after_request(add_hsts)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        # Behind N reverse proxies, the client's address is the Nth from the right in X-Forwarded-For;
        # without this the rate limits would key on the proxy and lock everyone out together.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )
