"""The spectators' screens: the competition home, the boards, the medal table and the hall's
projector. Public (no login), and built only from the public read model: the views last
sent on /live (app.services.live_feed), never from app.services.results."""

from flask import Blueprint

bp = Blueprint("live", __name__)

from app.web.live import exports, routes  # noqa: E402, F401
