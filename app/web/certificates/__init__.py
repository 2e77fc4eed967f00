"""Certificates in public: the verification page anyone (an employer) can use, and the
certificate PDF whose QR code opens it."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from app.web.certificates import routes  # noqa: E402, F401
