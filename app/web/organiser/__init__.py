from flask import Blueprint

from app.domain.vocabulary import UserRole
from app.web.security import roles_required

bp = Blueprint("organiser", __name__)


@bp.before_request
@roles_required(UserRole.ORGANISER)
def _organisers_only() -> None:
    """Every organiser route: anonymous users are sent to sign in, other roles get 403."""


from app.web.organiser import (  # noqa: E402, F401
    imports,
    people,
    projects,
    routes,
    scheme,
    users,
)
