"""Certificates (职业技能等级证书, domain.md §6): issuing numbers for approved promotions,
and the public lookup.

A number's serial comes from CertificateSerial under the write lock, so two issues never
draw the same one, and the UNIQUE number column makes the database refuse it anyway. A
revoked certificate keeps its number: numbers are never reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.domain import certificates as numbers
from app.domain.certificates import CertificateNumberError, IssuingBody
from app.domain.identity import IdNumberError, validate_id_number
from app.domain.vocabulary import SkillLevel
from app.extensions import db
from app.models import Certificate, CertificateSerial, Competition, Promotion
from app.services import audit, protection
from app.services.errors import ServiceError
from app.services.local_time import today
from app.services.promotion import APPROVED, ISSUED, unblocked_with_status
from app.services.transaction import begin_write


def issuing_body(competition: Competition) -> IssuingBody:
    """The competition's assessment body, or ServiceError `body_not_configured`."""
    if not competition.certificate_body_serial or not competition.issuing_body.strip():
        raise ServiceError("body_not_configured")
    try:
        return IssuingBody(competition.certificate_body_type, competition.certificate_body_code,
                           competition.certificate_province,
                           competition.certificate_body_serial)
    except CertificateNumberError as error:
        raise ServiceError("body_invalid", error.code) from None


def issue(competition: Competition, ids: Sequence[int] | None = None,
          on: date | None = None) -> list[Certificate]:
    """Issue a certificate for each approved promotion (the given ids, or all). One
    transaction: either every number is drawn and stored, or none."""
    body = issuing_body(competition)
    begin_write()
    try:
        promotions = unblocked_with_status(competition, APPROVED, ids)
        on = on or today()
        issued = [_issue_one(competition, body, promotion, on) for promotion in promotions]
        if issued:
            audit.record("certificate.issue", competition, count=len(issued),
                         numbers=[c.number for c in issued])
        db.session.commit()
        return issued
    except Exception:
        db.session.rollback()
        raise



def _issue_one(competition: Competition, body: IssuingBody, promotion: Promotion,
               on: date) -> Certificate:
    assert promotion.new_level is not None
    level = SkillLevel(promotion.new_level)
    prefix = numbers.prefix(body, on.year, level)
    serial = db.session.get(CertificateSerial, prefix, with_for_update=True)
    if serial is None:
        serial = CertificateSerial(prefix=prefix, last=0)
        db.session.add(serial)
    serial.last += 1
    who = promotion.competitor
    certificate = Certificate(
        number=numbers.format_number(body, on.year, level, serial.last),
        promotion_id=promotion.id, competition_id=competition.id, name=who.name,
        id_hash=who.id_hash, id_last4=who.id_last4,
        occupation_name=promotion.project.occupation_name,
        occupation_code=promotion.project.occupation_code, level=int(level),
        issuing_body=competition.issuing_body, issued_on=on,
        competition_name=competition.name, project_name=promotion.project.name,
        rank=promotion.rank)
    db.session.add(certificate)
    promotion.status = ISSUED
    db.session.flush()
    return certificate


# ------------------------------------------------------------------ the public lookup


@dataclass(frozen=True)
class Lookup:
    """What a verifier typed: the number or the ID number, and always the name."""

    name: str
    number: str = ""
    id_number: str = ""


def check_lookup(lookup: Lookup) -> Lookup:
    """The normalised lookup, or ServiceError: a name alone is never enough."""
    name = (lookup.name or "").strip()
    number = numbers.normalise_number(lookup.number)
    id_number = (lookup.id_number or "").strip()
    if not name:
        raise ServiceError("name_required", "name")
    if len(name) > 50:
        raise ServiceError("name_too_long", "name", max=50)
    if not number and not id_number:
        raise ServiceError("number_or_id_required", "number")
    if number:
        try:
            numbers.parse_number(number)
        except CertificateNumberError as error:
            raise ServiceError("number_" + error.code, "number") from None
    if id_number:
        try:
            id_number = validate_id_number(id_number)
        except IdNumberError as error:
            raise ServiceError("id_" + error.code, "id_number") from None
    return Lookup(name, number, id_number)


def verify(lookup: Lookup) -> list[Certificate]:
    """The certificates matching the number (or ID number) *and* the name: nothing when
    either does not match, so a lookup never tells whether a number exists."""
    lookup = check_lookup(lookup)
    query = select(Certificate).where(Certificate.name == lookup.name)
    if lookup.number:
        query = query.where(Certificate.number == lookup.number)
    else:
        query = query.where(Certificate.id_hash == protection.id_hash(lookup.id_number))
    return list(db.session.scalars(query.order_by(Certificate.issued_on.desc(),
                                                  Certificate.id.desc())))


def by_number(number: str) -> Certificate | None:
    found: Certificate | None = db.session.scalar(select(Certificate).where(
        Certificate.number == numbers.normalise_number(number)))
    return found
