"""The chief judge's console (live marking grid, sign-off) and the supervisor's view."""

from app.web.chief import bp  # noqa: F401
