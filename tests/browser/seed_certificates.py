"""Certificates made through the real services, for the certificate tests.

`issue_certificates()` (inside an app context) takes the scored board of eight from
tests/services/test_ceremony.py through the whole chain: sign off, publish, the project's
end and appeal window in the past, promotion.run, approve, certificates.issue. Everyone
moves from 高级工 (3) to 技师 (2) under the municipal rules; the last one's promotion is
then revoked, as a rerun after an upheld appeal would, so one certificate is revoked.

As a module, `python -m tests.browser.seed_certificates PREFIX` does the same on a live
server's database (run with its DATABASE_URL and SECRET_KEY) and prints one JSON line.
Each run gives its competitors fresh ID numbers: the engine never promotes one person
twice, in any competition, so a second run with the same people would issue nothing.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import Certificate, Competition, Competitor
from app.models.base import utcnow
from app.services import accounts, ceremony, certificates, promotion, protection
from tests import builders
from tests.services.test_ceremony import scored_board, sign_off

ISSUING_BODY = "上海市职业技能鉴定指导中心"
OCCUPATION_CODE = "6-31-01-03"  # 机修钳工
REVOKED_REASON = "below_range"  # what a rerun writes when a rank no longer qualifies


@dataclass
class Issued:
    competition: Competition
    certificates: list[Certificate]  # best first; the last one is revoked
    id_numbers: dict[str, str]  # name -> the raw ID number (test data only)

    @property
    def valid(self) -> Certificate:
        return self.certificates[0]

    @property
    def revoked(self) -> Certificate:
        return self.certificates[-1]


def issue_certificates(prefix: str = "", fresh_ids: bool = False) -> Issued:
    c = scored_board()
    sign_off(c)
    competition = c.competition
    if prefix:
        competition.name = f"{competition.name} {prefix}"
        for user in [*c.setup.users, c.setup.chief]:
            user.username = f"{prefix}-{user.username}"  # usernames are unique server-wide
    ids = _new_ids(c.by_name, fresh_ids)
    c.project.occupation_code = OCCUPATION_CODE
    db.session.commit()
    ceremony.publish(competition)
    c.project.ends_at = utcnow() - timedelta(days=1)  # the appeal window is over
    competition.certificate_body_serial = "000123"
    competition.issuing_body = ISSUING_BODY
    db.session.commit()
    summary = promotion.run(competition)
    assert summary.promoted == len(c.by_name), summary  # a rerun on the same people?
    organiser = accounts.create_user(f"{prefix or 'cert'}-organiser", UserRole.ORGANISER,
                                     "organiser password")
    promotion.approve(competition, organiser)
    issued = certificates.issue(competition)
    issued.sort(key=lambda certificate: certificate.rank or 0)
    promotion.revoke(issued[-1].promotion, REVOKED_REASON)
    db.session.commit()
    return Issued(competition, issued, ids)


def _new_ids(people: dict[str, Competitor], fresh: bool) -> dict[str, str]:
    """Each competitor's ID number; fresh ones (a random birth date) when asked."""
    birth = (date(1960, 1, 1) + timedelta(days=random.randrange(14_000))).strftime("%Y%m%d")
    ids = {}
    for serial, (name, competitor) in enumerate(people.items(), 500):
        if fresh:
            number = builders.valid_id_number(serial, birth)
            protected = protection.protect(number)
            competitor.id_hash = protected.id_hash
            competitor.id_last4 = protected.id_last4
            competitor.id_cipher = protected.id_cipher
            ids[name] = number
        else:
            ids[name] = protection.reveal(competitor.id_cipher)
    return ids


def _summary(certificate: Certificate, ids: dict[str, str]) -> dict[str, object]:
    return {"number": certificate.number, "name": certificate.name,
            "id_number": ids[certificate.name], "status": certificate.status}


def main(prefix: str) -> None:
    from app import create_app

    app = create_app()
    with app.app_context():
        issued = issue_certificates(prefix, fresh_ids=True)
        print(json.dumps({"competition": issued.competition.id,
                          "valid": _summary(issued.valid, issued.id_numbers),
                          "revoked": _summary(issued.revoked, issued.id_numbers)}))


if __name__ == "__main__":
    main(sys.argv[1])
