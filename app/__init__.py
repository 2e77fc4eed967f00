"""SaiPing 赛评: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request, session
from flask_login import current_user

from app.config import flask_config, settings_from_env
from app.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
from app.models.sqlite import IMMEDIATE

ROOT = Path(__file__).resolve().parent.parent
# Blueprints whose form posts read, then write, in one transaction (see create_app).
WRITE_LOCKED_BLUEPRINTS = ("organiser", "chief")


def select_locale() -> str:
    """Chinese first: the language the user picked, else their account's, else zh."""
    languages = ("zh", "en")
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    return "zh"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=False,
    )
    app.config.update(flask_config(settings_from_env()))
    if config:
        app.config.update(config)
    _validate(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    from app.realtime import register_namespaces

    register_namespaces()  # before init_app, which attaches them to this app's server
    socketio.init_app(
        app,
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "threading"),
    )

    from app.realtime import live
    from app.realtime.compression import NoWebSocketCompression

    live.install(app)
    app.wsgi_app = NoWebSocketCompression(app.wsgi_app)  # type: ignore[method-assign]
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's own address and scheme, as the trusted proxies in front report them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies,  # type: ignore[method-assign]
                                x_proto=proxies)

    from app.web import register_blueprints

    register_blueprints(app)

    from app.cli import register_cli

    register_cli(app)

    from app.web.errors import register_error_handlers
    from app.web.headers import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)

    @app.before_request
    def _write_lock_for_writes() -> None:
        # SQLite: an organiser's or chief judge's form post begins with the write lock
        # (BEGIN IMMEDIATE). A transaction that reads first and writes later fails at once
        # ("database is locked", no waiting) when another writer, such as the live feed,
        # committed in between; taking the lock first makes it wait its turn instead.
        # Marks and the live feed take the lock themselves, later and for less time; a
        # sign-in must not hold it while it hashes a password.
        # (A session already in a transaction is a test sharing one app context.)
        if request.method not in ("GET", "HEAD", "OPTIONS") \
                and request.blueprint in WRITE_LOCKED_BLUEPRINTS \
                and db.engine.dialect.name == "sqlite" and not db.session().in_transaction():
            db.session.connection(execution_options=IMMEDIATE)

    @app.before_request
    def _permanent_session() -> None:
        # Sessions expire after PERMANENT_SESSION_LIFETIME of inactivity. An empty session
        # (a spectator, an API client) is left alone, so its responses carry no cookie
        # and shared caches may keep the public results.
        if session:
            session.permanent = True

    from app.domain.identity import mask_last4
    from app.web.labels import label, level_label

    app.add_template_filter(label, "label")
    app.add_template_filter(level_label, "level")
    app.add_template_filter(mask_last4, "masked")

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"current_locale": select_locale(), "request_path": request.path}

    return app


def _validate(app: Flask) -> None:
    """Refuse to start with a configuration that would fail later, and say why."""
    if not app.config.get("SECRET_KEY") or len(str(app.config["SECRET_KEY"])) < 16:
        raise RuntimeError("SECRET_KEY must be set to at least 16 characters")
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    if not url.startswith(("sqlite:", "postgresql")):
        raise RuntimeError(f"DATABASE_URL must be sqlite:/// or postgresql+psycopg://, got {url!r}")
    queue = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if queue and not str(queue).startswith(("redis://", "rediss://")):
        raise RuntimeError("SOCKETIO_MESSAGE_QUEUE must be a redis:// URL")
    if url.startswith("sqlite"):
        from app.models.sqlite import enable_sqlite_pragmas

        enable_sqlite_pragmas()
