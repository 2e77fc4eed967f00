"""Messages for the refusals of the chief judge's use cases, in the user's language."""

from __future__ import annotations

from flask_babel import gettext as _

from app.services.errors import ServiceError


def chief_message(error: ServiceError) -> str:
    p = error.params
    return {
        "forbidden": _("Only this project's chief judge can do this."),
        "not_open": _("The marking scheme of this project is not active."),
        "already_locked": _("This module is already signed off and locked."),
        "not_locked": _("This module is not locked."),
        "reason_required": _("Write the reason for unlocking, at least %(min)s characters.",
                             min=p.get("min", "")),
        "reason_too_long": _("The reason is too long: at most %(max)s characters.",
                             max=p.get("max", "")),
        "other_competition": _("This judge belongs to another competition."),
        "conflict_of_interest": _("This judge has a conflict of interest with the competitor "
                                  "(回避) and cannot stand in."),
        "already_on_panel": _("This judge already sits on the project's panel."),
        "not_a_marker": _("This judge does not score in this project (chief judge or "
                          "supervisor)."),
        "already_substitute": _("This judge is already a substitute for this competitor."),
        "cannot_score": _("This judge's account cannot score: it is switched off or has "
                          "another role."),
        "account_inactive": _("This judge's account is switched off."),
        "not_needed": _("This competitor's panel is complete: no substitute is needed."),
        "no_code_left": _("No new tablet code could be made. Try again."),
    }.get(error.code, _("This could not be done (%(code)s).", code=error.code))


def blocker_message(status: str) -> str:
    return {
        "empty": _("no mark yet"),
        "draft": _("panel incomplete"),
        "rediscuss": _("scores out of tolerance: re-discuss"),
    }.get(status, status)
