"""Configuration: defaults, overridden by the environment, validated by the factory.

Nothing here reads the environment at import time: `Config.from_env()` is called by
`create_app`, so tests can build an app with their own settings.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _instance_secret(name: str) -> str:
    """A random secret kept in instance/ (git-ignored), made on first use.

    Development and `make run` never need a secret in the repo or the shell: the first
    start writes one, later starts reuse it, so sessions and protected ID numbers survive
    a restart. Production sets SECRET_KEY in the environment instead.
    """
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


# How the Socket.IO server runs. threading (the default): one OS thread per connection,
# on the Werkzeug server. gevent: greenlets on gevent's WSGI server; wsgi.py must then
# monkey-patch the standard library before anything else is imported. See bench/README.md.
ASYNC_MODES = ("threading", "gevent")


def async_mode_from_env() -> str:
    """SOCKETIO_ASYNC_MODE, checked (wsgi.py has already acted on "gevent")."""
    mode = os.environ.get("SOCKETIO_ASYNC_MODE") or "threading"
    if mode not in ASYNC_MODES:
        raise RuntimeError(f"SOCKETIO_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}, "
                           f"got {mode!r}")
    return mode


@dataclass
class Settings:
    database_url: str
    secret_key: str
    socketio_message_queue: str | None
    socketio_async_mode: str = "threading"
    live_update_interval: float = 0.1
    # Behind TLS: the scheme of external URLs, and cookies that never travel in clear.
    preferred_url_scheme: str = "http"
    session_cookie_secure: bool = False
    trust_x_forwarded_proto: bool = False  # HSTS behind a TLS proxy (app/web/headers.py)
    # Behind nginx: how many proxies in front set X-Forwarded-For/-Proto (0: none, so
    # the headers are ignored: a client could forge them). With 1, rate limits count the
    # real client, not the proxy's address.
    trusted_proxies: int = 0
    # Rate-limit counters: in process memory, or shared by every process (redis://…).
    ratelimit_storage_uri: str = "memory://"


def settings_from_env() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL")
        or f"sqlite:///{INSTANCE_DIR / 'saiping.sqlite'}",
        secret_key=os.environ.get("SECRET_KEY") or _instance_secret("secret_key"),
        socketio_message_queue=os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        socketio_async_mode=async_mode_from_env(),
        live_update_interval=_seconds("LIVE_UPDATE_INTERVAL", 0.1),
        preferred_url_scheme=_scheme("PREFERRED_URL_SCHEME"),
        session_cookie_secure=_flag("SESSION_COOKIE_SECURE"),
        trust_x_forwarded_proto=_flag("TRUST_X_FORWARDED_PROTO"),
        trusted_proxies=_count("TRUSTED_PROXIES", 0, 5),
        ratelimit_storage_uri=os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
    )


def _count(name: str, low: int, high: int) -> int:
    raw = (os.environ.get(name) or str(low)).strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise RuntimeError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


def _flag(name: str) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise RuntimeError(f"{name} must be 1 or 0 (true or false), got {raw!r}")


def _scheme(name: str) -> str:
    raw = (os.environ.get(name) or "http").strip().lower()
    if raw not in ("http", "https"):
        raise RuntimeError(f"{name} must be http or https, got {raw!r}")
    return raw


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 <= value <= 60:
        raise RuntimeError(f"{name} must be between 0 and 60 seconds, got {raw!r}")
    return value


def flask_config(settings: Settings) -> dict[str, object]:
    """The Flask config mapping for these settings."""
    return {
        "SECRET_KEY": settings.secret_key,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SOCKETIO_MESSAGE_QUEUE": settings.socketio_message_queue,
        "SOCKETIO_ASYNC_MODE": settings.socketio_async_mode,
        # Uploads: spreadsheets of a few thousand rows are well under this.
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "IMPORT_MAX_ROWS": 20_000,
        # Sessions: organisers' browsers stay signed in for a working day, not forever.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure also follows from PREFERRED_URL_SCHEME=https (app/web/headers.py).
        "SESSION_COOKIE_SECURE": settings.session_cookie_secure
        or settings.preferred_url_scheme == "https",
        "PREFERRED_URL_SCHEME": settings.preferred_url_scheme,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": settings.session_cookie_secure
        or settings.preferred_url_scheme == "https",
        "TRUST_X_FORWARDED_PROTO": settings.trust_x_forwarded_proto,
        "REMEMBER_COOKIE_DURATION": timedelta(hours=8),
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("zh", "en"),
        "LOGIN_RATE_LIMIT": "10 per minute",
        # Explicit, because Flask-Limiter keeps the last app's setting otherwise.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "TRUSTED_PROXIES": settings.trusted_proxies,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Live boards: a burst of marks is coalesced into one update per board at most
        # this often (seconds; 0.1 = at most 10 a second). 0 turns the background task
        # off (tests flush by hand).
        "LIVE_UPDATE_INTERVAL": settings.live_update_interval,
    }
