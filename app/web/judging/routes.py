"""The judge's tablet page (touch-first, offline outbox)."""

from app.web.judging import bp  # noqa: F401
