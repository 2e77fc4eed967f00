"""The verification form, and the messages for the lookup's refusals (the page and the API
say the same thing)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from app.services.errors import ServiceError
from app.web.messages import id_number_message


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LookupForm(FlaskForm):
    """Read from the query string: the QR code's link (?number=…) must open it as is, and
    a GET carries no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    number = StringField(_l("Certificate number"), filters=[_strip],
                         render_kw={"autocomplete": "off", "spellcheck": "false",
                                    "maxlength": 40},
                         description=_l("22 characters: Y or S, then 21 digits."))
    id_number = StringField(_l("ID number"), filters=[_strip],
                            render_kw={"autocomplete": "off", "spellcheck": "false",
                                       "maxlength": 30},
                            description=_l("The holder's 18-character ID number."))
    name = StringField(_l("Holder's name"), filters=[_strip],
                       render_kw={"autocomplete": "off", "maxlength": 60},
                       description=_l("Exactly as printed on the certificate."))

    def attempted(self) -> bool:
        return any((self.number.data, self.id_number.data, self.name.data))


def lookup_message(error: ServiceError) -> str:
    """What a refused lookup says, in the reader's language."""
    if error.code.startswith("id_"):
        return id_number_message(error.code[3:])
    return str({
        "name_required": _("Enter the holder's name as well: a certificate is never shown "
                           "for a number alone."),
        "name_too_long": _("A name has at most %(max)s characters.",
                           max=error.params.get("max", 50)),
        "number_or_id_required": _("Enter the certificate number or the ID number: a name "
                                   "alone is not enough."),
        "number_format": _("A certificate number has 22 characters: Y or S, then 21 "
                           "digits."),
        "number_level": _("This is not a certificate number: its 16th character, the "
                          "level, must be 1 to 5."),
    }.get(error.code, _("This lookup cannot be made (%(code)s).", code=error.code)))
