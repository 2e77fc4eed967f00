"""Messages for the stable error codes of the domain and the services, in the user's
language. One table, so a code reads the same on every screen."""

from __future__ import annotations

from flask_babel import gettext as _

from app.services.errors import ServiceError


def id_number_message(code: str) -> str:
    return {
        "empty": _("Enter the ID number."),
        "format": _("An ID number has 18 characters: 17 digits and a final digit or X."),
        "birth_date": _("The birth date inside this ID number does not exist."),
        "checksum": _("This ID number's last character does not match: check for a typo."),
    }.get(code, _("This ID number is not valid."))


def service_message(error: ServiceError) -> str:
    p = error.params
    messages = {
        "duplicate": _("This value is already used in this competition."),
        "published_final": _("The results are published and final: this can no longer "
                             "change."),
        "in_use": _("This cannot be deleted because other records still refer to it."),
        "no_division": _("Choose at least one division."),
        "division_in_use": _("This division has competitors, so it cannot be removed."),
        "division_not_in_project": _("The chosen project has no such division."),
        "chief_taken": _("This project already has a chief judge: %(name)s.",
                         name=p.get("name", "")),
        "scheme_active": _("The marking scheme is active. Return it to draft before editing."),
        "scheme_invalid": _("The marking scheme cannot be activated yet: fix the problems listed."),
        "share_below_aspects": _("The aspects of this module already add up to %(total)s, "
                                 "more than this share.", total=p.get("total", "")),
        "no_scheme": _("This project has no marking scheme yet."),
        "id_required": _("Enter the ID number."),
    }
    return messages.get(error.code, _("This could not be saved (%(code)s).", code=error.code))


def scheme_problem_message(code: str, params: dict[str, object]) -> str:
    return {
        "max_not_positive": _("The max mark must be more than 0."),
        "max_not_half_step": _("Max marks go in steps of 0.5; %(value)s is not one.",
                               value=params.get("value")),
        "descriptors_missing": _(
            "A judgement aspect needs all four descriptors, for scores 0, 1, 2 and 3 "
            "(%(count)s given).", count=params.get("count")),
        "tolerance_out_of_range": _("Tolerance value %(value)s must be between 0 and the max "
                                    "mark %(max)s.", value=params.get("value"),
                                    max=params.get("max")),
        "tolerance_duplicate": _("The tolerance table lists the same value twice."),
        "over_module_share": _(
            "This aspect takes the module to %(total)s marks, over its share of %(share)s.",
            total=params.get("total"), share=params.get("share")),
        "module_letter_duplicate": _("Two modules have the same letter."),
        "module_empty": _("This module has no aspects yet."),
        "total_mismatch": _("The aspects add up to %(total)s, not %(expected)s.",
                            total=params.get("total"), expected=params.get("expected")),
        "shares_mismatch": _("The module shares add up to %(total)s, not %(expected)s.",
                             total=params.get("total"), expected=params.get("expected")),
    }.get(code, code)


def marking_message(code: str, params: dict[str, object]) -> str:
    """The judge-facing message for a refused mark, in the judge's language."""
    allowed = params.get("allowed")
    allowed_text = "、".join(f"{v:g}" if isinstance(v, float) else str(v)
                            for v in allowed) if isinstance(allowed, list | tuple) else ""
    return {
        "invalid": _("This mark could not be read. Reload the page and try again."),
        "unknown_aspect": _("This aspect is not in the competitor's marking scheme."),
        "unknown_competitor": _("There is no such competitor."),
        "not_assigned": _("You are not assigned to score this competitor."),
        "conflict_of_interest": _("Conflict of interest: you may not score this competitor "
                                  "(回避). The chief judge can assign a substitute."),
        "out_of_range": _("This value is not allowed here. Allowed: %(allowed)s.",
                          allowed=allowed_text),
        "locked": _("Module %(module)s is signed off and locked: marks can no longer change.",
                    module=params.get("module", "")),
        "not_open": _("The marking scheme of this project is not active yet."),
        "stale_version": _("Someone changed this mark meanwhile (now version %(version)s). "
                           "Check it and score again.", version=params.get("current_version")),
        "unavailable": _("Not saved: the server cannot store marks right now. Retrying."),
        "unauthorized": _("Sign in again: this tablet's session has expired."),
    }.get(code, code)
