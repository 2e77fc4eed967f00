"""GET /api/v1/certificates/verify: the public certificate check for programs.

The same rules as the page (app/web/certificates/routes.py): the number or the ID number,
and always the name; a miss is an empty list, whether the number exists or not. It shares
the page's rate limit (CERTIFICATE_LOOKUP_LIMIT per address). The ID number is shown
masked, never in full, never its hash.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from app.domain.identity import mask_last4
from app.models import Certificate
from app.services import certificates
from app.services.errors import ServiceError
from app.web.api import bp
from app.web.certificates.forms import lookup_message
from app.web.certificates.routes import lookup_limit, revoked_on

# The refusals, all 400: the request names no certificate that could be looked up.
CODES = ("name_required", "name_too_long", "number_or_id_required", "number_format",
         "number_level", "id_format", "id_birth_date", "id_checksum")


def certificate_json(certificate: Certificate) -> dict[str, Any]:
    """Every field named on purpose: a new column never reaches the public by accident."""
    when = revoked_on(certificate)
    return {
        "number": certificate.number,
        "name": certificate.name,
        "id_number_masked": mask_last4(certificate.id_last4),
        "occupation_name": certificate.occupation_name,
        "occupation_code": certificate.occupation_code,
        "level": certificate.level,
        "issuing_body": certificate.issuing_body,
        "issued_on": certificate.issued_on.isoformat(),
        "status": certificate.status,
        "revoked_on": when.isoformat() if when else None,
        "competition_name": certificate.competition_name,
        "project_name": certificate.project_name,
        "rank": certificate.rank,
    }


@bp.get("/certificates/verify")
@lookup_limit
def verify_certificate() -> Response | tuple[Response, int]:
    args = request.args
    lookup = certificates.Lookup(args.get("name", ""), args.get("number", ""),
                                 args.get("id_number", ""))
    try:
        found = certificates.verify(lookup)
    except ServiceError as error:
        return jsonify(error={"code": error.code, "field": error.field or "number",
                              "message": lookup_message(error)}), 400
    return jsonify(certificates=[certificate_json(c) for c in found])
