"""Security headers on every response, and the session cookie's Secure flag.

The Content-Security-Policy fits the pages as they are:
- scripts: files under /static only. The templates have no inline script that runs (the
  <script type="application/json"> blocks are data, which CSP does not block) and no
  inline event handlers, so no nonce is needed;
- styles: files from /static, and style *attributes*: progress bars get their width in
  style="width: N%" from the templates and from the live pages' scripts (innerHTML).
  `style-src-elem 'self'` still refuses <style> elements in browsers that know it;
- images: /static and data: (Bootstrap's CSS draws its form controls with data: SVGs).
  The QR codes are inline <svg> elements, not images;
- connections: this host only, over HTTP and over WebSocket (Socket.IO). 'self' covers
  ws:/wss: of the same host in CSP 3; the explicit ws://host and wss://host are for
  browsers that do not apply it yet;
- no plugins, no <base>, forms post to this site only, and nobody may frame a page.

No page is meant to be framed, the projector screen (/c/<id>/screen) included: it runs
full-screen in its own browser, so X-Frame-Options is DENY everywhere.

HSTS is sent only on a secure request: request.is_secure (TLS to this process), or, when
TRUST_X_FORWARDED_PROTO is on, `X-Forwarded-Proto: https` from the proxy in front (the
nginx of docs/nginx-saiping.conf sets that header itself; turn it on only when the app
processes are reachable through that proxy alone, or any client could claim https).
"""

from __future__ import annotations

import re

from flask import Flask, Request, request
from werkzeug.wrappers import Response

HSTS = "max-age=31536000"  # a year; this host only (the venue's other hosts are not ours)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# A Host header that is a plain host[:port]; anything else is left out of the policy.
_PLAIN_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def content_security_policy(host: str | None) -> str:
    sockets = f" ws://{host} wss://{host}" if host and _PLAIN_HOST.match(host) else ""
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "style-src-elem 'self'",
        "img-src 'self' data:",
        f"connect-src 'self'{sockets}",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def is_secure(req: Request, trust_forwarded_proto: bool) -> bool:
    if req.is_secure:
        return True
    if not trust_forwarded_proto:
        return False
    forwarded = req.headers.get("X-Forwarded-Proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


def register_security_headers(app: Flask) -> None:
    # A site served over https (PREFERRED_URL_SCHEME) never sends its cookies in clear.
    if app.config.get("PREFERRED_URL_SCHEME") == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        # setdefault: a view that needs its own value (none does yet) keeps it.
        headers.setdefault("Content-Security-Policy", content_security_policy(request.host))
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if is_secure(request, bool(app.config.get("TRUST_X_FORWARDED_PROTO"))):
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
