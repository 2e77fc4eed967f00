"""Access checks shared by the blueprints."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user

from app.domain.vocabulary import UserRole

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: UserRole) -> Callable[[F], F]:
    """Signed-in users with one of these roles; others get 401 (anonymous) or 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no '//' or '/\\' tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target
