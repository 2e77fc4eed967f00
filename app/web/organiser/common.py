"""What every organiser screen shares: loading rows, breadcrumbs, saving a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.domain.identity import IdNumberError
from app.extensions import db
from app.models import Competition, SkillProject
from app.services.errors import ServiceError
from app.web.messages import id_number_message, service_message

T = TypeVar("T")

# Service errors name model columns; some forms call the same input differently.
FIELD_ALIASES = {"id_hash": "id_number", "kind": "kind"}


def get_or_404(model: type[T], ident: int) -> T:
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    return row


def crumbs_for(competition: Competition | None = None,
               project: SkillProject | None = None) -> list[tuple[str, str]]:
    """Breadcrumbs: Competitions › competition › project."""
    trail = [(_("Competitions"), url_for("organiser.competitions"))]
    if competition is not None:
        trail.append((competition.name, url_for("organiser.competition", cid=competition.id)))
    if project is not None:
        trail.append((project.name, url_for("organiser.project", pid=project.id)))
    return trail


def form_page(form: FlaskForm, save: Callable[[], Any], *, success_url: Callable[[Any], str],
              message: str, template: str = "organiser/form.html",
              **context: Any) -> str | Response:
    """Validate, save through the service, and either redirect or show the form with the
    error next to the field it belongs to. Nothing is stored when anything is wrong."""
    if form.validate_on_submit():
        try:
            saved = save()
        except ServiceError as error:
            attach_error(form, error.field, service_message(error))
        except IdNumberError as error:
            attach_error(form, "id_number", id_number_message(error.code))
        else:
            flash(message, "success")
            return redirect(success_url(saved))
    return render_template(template, form=form, **context)


def attach_error(form: FlaskForm, field: str | None, message: str) -> None:
    name = FIELD_ALIASES.get(field or "", field or "")
    if name and name in form:
        form[name].errors = [*form[name].errors, message]
    else:
        flash(message, "danger")
