from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__)
# The API authenticates with bearer tokens, not cookies, so CSRF does not apply.
csrf.exempt(bp)

from app.web.api import certificates, judging, results, routes, tablet_codes  # noqa: E402, F401
