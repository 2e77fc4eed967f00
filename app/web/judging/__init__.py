from flask import Blueprint

bp = Blueprint("judging", __name__)

from app.web.judging import routes  # noqa: E402, F401
