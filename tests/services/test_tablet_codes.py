"""One-time tablet codes: issued by the chief judge, stored hashed, short-lived, single
use, and traded for a bearer token bound to one judge and project."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.domain.vocabulary import JudgeRole, UserRole
from app.extensions import db
from app.models import ApiToken, AuditEvent, Judge, TabletCode
from app.models.base import utcnow
from app.services import accounts, tablet_codes
from app.services.errors import ServiceError
from tests import builders
from tests.chief_builders import add_judge, cheap_passwords, other_project


@pytest.fixture
def s(app, monkeypatch):  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    return builders.judging_setup()


def refused(code: object) -> str:
    with pytest.raises(ServiceError) as error:
        tablet_codes.redeem(code)
    return error.value.code


def test_a_code_is_six_digits_stored_only_as_a_keyed_hash(s) -> None:  # type: ignore[no-untyped-def]
    issued = tablet_codes.issue_code(s.chief, s.judges[1], s.project)
    assert re.fullmatch(r"\d{6}", issued.code)
    row = db.session.scalar(select(TabletCode))
    assert row is not None and issued.code not in row.code_hash
    # Keyed: a copy of the database alone does not reveal live codes.
    assert row.code_hash != hashlib.sha256(issued.code.encode()).hexdigest()
    assert (row.judge_id, row.project_id, row.issued_by) == (
        s.judges[1].id, s.project.id, s.chief.id)
    lifetime = row.expires_at - row.issued_at
    assert lifetime == timedelta(minutes=10)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tablet_code_issue"))


def test_the_lifetime_comes_from_the_configuration(app, s) -> None:  # type: ignore[no-untyped-def]
    app.config["TABLET_CODE_MINUTES"] = 3
    issued = tablet_codes.issue_code(s.chief, s.judges[1], s.project)
    assert timedelta(minutes=2, seconds=50) < issued.expires_at - utcnow() <= timedelta(minutes=3)


def test_redeeming_gives_a_project_bound_token_for_the_day_and_uses_the_code(s) -> None:  # type: ignore[no-untyped-def]
    issued = tablet_codes.issue_code(s.chief, s.judges[1], s.project)
    redeemed = tablet_codes.redeem(f" {issued.code[:3]} {issued.code[3:]} ")  # as typed
    assert (redeemed.project_id, redeemed.judge_name) == (s.project.id, "裁判2")
    user, project_id = accounts.resolve_token(redeemed.token)
    assert (user.id, project_id) == (s.users[1].id, s.project.id)
    token = db.session.scalar(select(ApiToken).where(ApiToken.project_id == s.project.id))
    assert token is not None and token.token_hash == accounts.token_hash(redeemed.token)
    assert timedelta(hours=13, minutes=59) < token.expires_at - utcnow() <= timedelta(hours=14)
    assert db.session.scalar(select(TabletCode.used_at)) is not None
    assert refused(issued.code) == "code_used"
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_expired_unknown_and_malformed_codes_are_refused(s) -> None:  # type: ignore[no-untyped-def]
    issued = tablet_codes.issue_code(s.chief, s.judges[1], s.project)
    unknown = f"{(int(issued.code) + 1) % 1_000_000:06d}"
    assert refused(unknown) == "code_unknown"
    for bad in ["12345", "1234567", "abcdef", "１２３４５６", None, True, {"code": 1}]:
        assert refused(bad) == "code_invalid", bad
    row = db.session.scalar(select(TabletCode))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert refused(issued.code) == "code_expired"
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_a_new_code_replaces_the_judges_live_one(s) -> None:  # type: ignore[no-untyped-def]
    first = tablet_codes.issue_code(s.chief, s.judges[1], s.project)
    other = tablet_codes.issue_code(s.chief, s.judges[2], s.project)
    second = tablet_codes.issue_code(s.chief, s.judges[1], s.project)
    assert refused(first.code) == "code_expired"
    assert set(tablet_codes.live_codes(s.project)) == {s.judges[1].id, s.judges[2].id}
    assert tablet_codes.redeem(second.code).judge_name == "裁判2"
    assert tablet_codes.redeem(other.code).judge_name == "裁判3"


def test_a_judge_without_an_account_gets_a_tablet_only_one(s) -> None:  # type: ignore[no-untyped-def]
    judge = add_judge(s, "无账号裁判", delegation="静安区", role=None, assign=JudgeRole.JUDGE)
    assert judge.user_id is None
    issued = tablet_codes.issue_code(s.chief, judge, s.project)
    assert judge.user is not None and judge.user.password_hash is None
    assert judge.user.role is UserRole.JUDGE and judge.user.display_name == "无账号裁判"
    redeemed = tablet_codes.redeem(issued.code)
    assert accounts.resolve_token(redeemed.token)[0].id == judge.user_id


def test_only_judges_who_score_in_the_project_get_codes(s) -> None:  # type: ignore[no-untyped-def]
    chief_judge = db.session.scalar(select(Judge).where(Judge.user_id == s.chief.id))
    outsider = add_judge(s, "局外人", delegation="静安区")
    for judge in [chief_judge, outsider]:
        with pytest.raises(ServiceError) as error:
            tablet_codes.issue_code(s.chief, judge, s.project)
        assert error.value.code == "not_a_marker"
    switched_off = s.users[2]
    switched_off.active = False
    db.session.commit()
    with pytest.raises(ServiceError) as error:
        tablet_codes.issue_code(s.chief, s.judges[2], s.project)
    assert error.value.code == "account_inactive"
    assert db.session.scalar(select(func.count()).select_from(TabletCode)) == 0


def test_a_judge_switched_off_after_the_code_was_issued_cannot_redeem_it(s) -> None:  # type: ignore[no-untyped-def]
    issued = tablet_codes.issue_code(s.chief, s.judges[1], s.project)
    s.users[1].active = False
    db.session.commit()
    assert refused(issued.code) == "account_inactive"


@pytest.mark.parametrize("who", ["judge", "supervisor", "organiser", "other_chief"])
def test_only_the_projects_chief_judge_issues_codes(s, make_user, who) -> None:  # type: ignore[no-untyped-def]
    user = {"judge": lambda: s.users[1], "supervisor": lambda: make_user(UserRole.SUPERVISOR),
            "organiser": lambda: make_user(UserRole.ORGANISER),
            "other_chief": lambda: other_project(s)[1]}[who]()
    with pytest.raises(ServiceError) as error:
        tablet_codes.issue_code(user, s.judges[1], s.project)
    assert error.value.code == "forbidden"
