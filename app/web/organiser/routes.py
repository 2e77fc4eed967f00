from flask import render_template
from sqlalchemy import select

from app.extensions import db
from app.models import Competition
from app.web.organiser import bp


@bp.get("/")
def competitions() -> str:
    rows = db.session.scalars(select(Competition).order_by(Competition.year.desc())).all()
    return render_template("organiser/competitions.html", competitions=rows)
