from flask import jsonify, render_template
from sqlalchemy import select, text
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Competition
from app.web.public import bp


@bp.get("/")
def index() -> str:
    competitions = db.session.scalars(
        select(Competition).order_by(Competition.year.desc(), Competition.name)
    ).all()
    return render_template("public/index.html", competitions=competitions)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", whatever the driver
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok"), 200
