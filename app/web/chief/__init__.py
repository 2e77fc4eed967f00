from flask import Blueprint

bp = Blueprint("chief", __name__)

from app.web.chief import routes  # noqa: E402, F401
