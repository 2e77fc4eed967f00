from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, current_app, request

from app.domain.vocabulary import UserRole
from app.web.security import roles_required

bp = Blueprint("organiser", __name__)

F = TypeVar("F", bound=Callable[..., Any])


def open_to_watchers(view: F) -> F:
    """Mark a view that decides itself who may see it, past the organisers-only rule below:
    the results exports, which the project's chief judge and the supervisors need too."""
    view.open_to_watchers = True  # type: ignore[attr-defined]
    return view


@bp.before_request
def _organisers_only() -> Any:
    """Every organiser route: anonymous users are sent to sign in, other roles get 403
    (except a view marked `open_to_watchers`, which checks access itself)."""
    if getattr(current_app.view_functions.get(request.endpoint or ""), "open_to_watchers", False):
        return None
    return _organiser_required()


@roles_required(UserRole.ORGANISER)
def _organiser_required() -> None:
    return None


from app.web.organiser import (  # noqa: E402, F401
    appeals,
    exports,
    imports,
    people,
    projects,
    promotions,
    results,
    routes,
    scheme,
    users,
)
