"""The words the spectators' screens use, translated, for the templates and for the scripts
that re-draw the boards (static/js/live/), which get them as one JSON document."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain.ranking import CHIEF, COMPLETION, JUDGEMENT, MODULE_PREFIX
from app.domain.vocabulary import Award
from app.services.public_view import AWARD_STEPS, Phase
from app.web.labels import COMPETITOR_STATUS, DIVISION

# The phase as a short badge, and the sentence under it on a board.
PHASE = {
    Phase.HIDDEN: _l("Results not yet public"),
    Phase.PROGRESS: _l("Marking in progress"),
    Phase.LIVE: _l("Provisional"),
    Phase.FROZEN: _l("Board frozen"),
    Phase.CEREMONY: _l("Award ceremony"),
    Phase.PUBLISHED: _l("Final results"),
}
PHASE_NOTE = {
    Phase.HIDDEN: _l("The results will be shown here once they are published."),
    Phase.PROGRESS: _l("Only the marking progress is shown until the results are published."),
    Phase.LIVE: _l("Provisional ranks, updated live as the marks come in."),
    Phase.FROZEN: _l("The board shows the results as they stood at the freeze; the final "
                     "results are announced at the ceremony."),
    Phase.CEREMONY: _l("The results are being revealed on stage."),
    Phase.PUBLISHED: _l("The results are final and published."),
}
AWARD = {
    Award.GOLD: _l("Gold"),
    Award.SILVER: _l("Silver"),
    Award.BRONZE: _l("Bronze"),
    Award.EXCELLENCE: _l("Excellence award"),
    Award.MEDALLION: _l("Medallion for Excellence"),
}
TIE = {
    JUDGEMENT: _l("Tie broken by the higher judgement marks"),
    COMPLETION: _l("Tie broken by the earlier completion time"),
    CHIEF: _l("Tie broken by the chief judge's decision"),
}
# The column of the medal table for 优胜奖 or the Medallion, by Competition.merit_award.
MERIT_COLUMN = {"top_half": _l("Excellence award"), "medallion": _l("Medallion for Excellence")}


def phase_label(phase: str) -> str:
    try:
        return str(PHASE[Phase(phase)])
    except ValueError:
        return phase


def award_label(award: str | None) -> str:
    return str(AWARD[Award(award)]) if award else ""


def tie_label(tie: dict[str, Any] | None) -> str:
    """Why a row that shows the same total as others has its place; "" without a tie."""
    if not tie:
        return ""
    step = str(tie.get("step") or "")
    if tie.get("undecided"):
        return _("Tied: awaiting the chief judge's decision")
    if step.startswith(MODULE_PREFIX):
        return _("Tie broken by the higher marks in module %(letter)s",
                 letter=step[len(MODULE_PREFIX):])
    return str(TIE[step]) if step in TIE else _("Tie broken by the tie-break rules")


def status_label(status: str) -> str:
    for key, text in COMPETITOR_STATUS.items():
        if key == status:
            return str(text)
    return status


def division_label(kind: object) -> str:
    for key, text in DIVISION.items():
        if key == kind:
            return str(text)
    return str(kind)


def client_labels() -> dict[str, Any]:
    """Every word the scripts may need, in the page's language. Sentences with a number
    carry a {placeholder} the script fills in. `awardSteps` are the ceremony's steps award
    by award (the award codes each unveils, and their name)."""
    return {
        "phase": {p.value: str(text) for p, text in PHASE.items()},
        "phaseNote": {p.value: str(text) for p, text in PHASE_NOTE.items()},
        "award": {a.value: str(text) for a, text in AWARD.items()},
        "tie": {**{step: str(text) for step, text in TIE.items()},
                "module": _("Tie broken by the higher marks in module %(letter)s",
                            letter="{letter}"),
                "undecided": _("Tied: awaiting the chief judge's decision"),
                "other": _("Tie broken by the tie-break rules")},
        "status": {s.value: str(text) for s, text in COMPETITOR_STATUS.items()},
        # The ceremony's steps award by award, lowest first (public_view.AWARD_STEPS).
        "awardSteps": [{"codes": [a.value for a in group],
                        "label": " / ".join(str(AWARD[a]) for a in group)}
                       for group in AWARD_STEPS],
        "ceremonyStep": _("Step %(step)s of %(steps)s", step="{step}", steps="{steps}"),
        "ceremonyPending": _("%(n)s places still to be revealed", n="{n}"),
        "ceremonyNext": _("Next: %(award)s", award="{award}"),
        "ceremonyWaiting": _("The ceremony will begin shortly"),
        "ceremonyDone": _("All places revealed"),
        "progress": _("%(counted)s of %(expected)s marks in", counted="{counted}",
                      expected="{expected}"),
        "moveUp": _("Up %(n)s", n="{n}"),
        "moveDown": _("Down %(n)s", n="{n}"),
        "noRows": _("No results to show yet."),
        "page": _("Page %(page)s of %(pages)s", page="{page}", pages="{pages}"),
        "connection": {"live": _("Live"), "connecting": _("Connecting…"),
                       "reconnecting": _("Reconnecting…")},
        "stale": _("Connection lost: this board may be out of date. Reconnecting…"),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "scale": _("Scale"),
        "noMedals": _("No medals to show yet."),
        "medalTable": _("Medal table"),
        "position": _("%(index)s of %(count)s", index="{index}", count="{count}"),
        "upNext": _("Up next"),
        "hiddenPlace": _("To be revealed"),
        "hiddenPlaces": _("Places %(first)s–%(last)s to be revealed", first="{first}",
                          last="{last}"),
        "col": {"rank": _("Rank"), "change": _("Change"), "competitor": _("Competitor"),
                "delegation": _("Delegation"), "workstation": _("Workstation"),
                "total": _("Total"), "award": _("Award"), "gold": _("Gold"),
                "silver": _("Silver"), "bronze": _("Bronze"), "points": _("Points")},
    }


def chain_label(chain: str) -> str:
    """A tie-break chain for people: "judgement marks → completion time → …"."""
    steps = {JUDGEMENT: _("judgement marks"), COMPLETION: _("completion time"),
             CHIEF: _("chief judge's decision")}
    names = []
    for step in (s.strip() for s in (chain or "").split(",") if s.strip()):
        if step.startswith(MODULE_PREFIX):
            names.append(_("module %(letter)s", letter=step[len(MODULE_PREFIX):]))
        else:
            names.append(str(steps.get(step, step)))
    return " → ".join(names) or "—"
