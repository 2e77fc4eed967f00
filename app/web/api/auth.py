"""Bearer-token authentication for the judges' API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request
from flask_babel import gettext as _

from app.domain.vocabulary import UserRole
from app.services import accounts
from app.services.judging import TokenScope

F = TypeVar("F", bound=Callable[..., Any])

# Who may use the judging API: the people who score, and the chief judge.
JUDGING_ROLES = (UserRole.JUDGE, UserRole.CHIEF_JUDGE)


def bearer_required(*roles: UserRole) -> Callable[[F], F]:
    """`Authorization: Bearer <token>`; sets g.api_user and g.token_scope."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            token = header[7:].strip() if header.startswith("Bearer ") else ""
            resolved = accounts.resolve_token(token)
            if resolved is None:
                return _error(401, "unauthorized", _("A valid bearer token is required."))
            user, project_id = resolved
            if roles and user.role not in roles:
                return _error(403, "forbidden", _("You do not have permission to do this."))
            g.api_user, g.token_scope = user, TokenScope(project_id)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _error(status: int, code: str, message: str) -> Any:
    response = jsonify(error={"code": code, "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response
