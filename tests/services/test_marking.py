"""Submitting marks through the service: every refusal code, idempotency, versions."""

import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Mark, MarkVersion, Substitute
from app.models.audit import AppendOnlyError
from app.models.base import utcnow
from app.services.judging import TokenScope
from app.services.marking import MarkingError, submit_mark
from tests import builders


@pytest.fixture
def s(app):  # type: ignore[no-untyped-def]
    return builders.judging_setup()


def payload(competitor, aspect, **extra):  # type: ignore[no-untyped-def]
    key = "score" if aspect.kind.value == "J" else "value"
    body = {"client_id": str(uuid.uuid4()), "competitor_id": competitor.id,
            "aspect_id": aspect.id, key: extra.pop("v", 2)}
    body.update(extra)
    return body


def refused(user, body, **kw) -> MarkingError:  # type: ignore[no-untyped-def]
    with pytest.raises(MarkingError) as caught:
        submit_mark(user, body, **kw)
    return caught.value


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(MarkVersion))


def test_a_mark_is_stored_and_acknowledged_with_its_version(s) -> None:  # type: ignore[no-untyped-def]
    ack = submit_mark(s.users[1], payload(s.competitors[0], s.j_aspect, v=2,
                                          device_id="tablet-07",
                                          tablet_time="2026-11-23T09:15:00+08:00"))
    assert ack == {"ok": True, "mark_id": ack["mark_id"], "version": 1, "status": "draft"}
    stored = db.session.get(MarkVersion, 1)
    assert (stored.value, stored.device_id, stored.user_id) == (2.0, "tablet-07", s.users[1].id)
    assert stored.tablet_time.hour == 1 and stored.server_time <= utcnow()


def test_a_retry_returns_the_original_ack_and_stores_nothing(s) -> None:  # type: ignore[no-untyped-def]
    body = payload(s.competitors[0], s.j_aspect, v=3)
    first = submit_mark(s.users[1], body)
    again = submit_mark(s.users[1], body)
    assert again == first and versions() == 1
    # Even with a different value: the client_id names the submission, not the content.
    assert submit_mark(s.users[1], {**body, "score": 0}) == first
    assert db.session.get(Mark, first["mark_id"]).value == 3


def test_another_judge_cannot_replay_someone_elses_client_id(s) -> None:  # type: ignore[no-untyped-def]
    body = payload(s.competitors[0], s.j_aspect)
    submit_mark(s.users[1], body)
    assert refused(s.users[2], body).code == "invalid"


def test_edits_need_the_current_version(s) -> None:  # type: ignore[no-untyped-def]
    first = submit_mark(s.users[1], payload(s.competitors[0], s.j_aspect, v=1,
                                            expected_version=0))
    second = submit_mark(s.users[1], payload(s.competitors[0], s.j_aspect, v=2,
                                             expected_version=1, reason="重新评估"))
    assert (first["version"], second["version"]) == (1, 2)
    stale = refused(s.users[1], payload(s.competitors[0], s.j_aspect, v=3, expected_version=1))
    assert stale.code == "stale_version" and stale.params["current_version"] == 2
    history = db.session.scalars(select(MarkVersion).order_by(MarkVersion.id)).all()
    assert [(h.previous_value, h.value, h.reason) for h in history] == [
        (None, 1.0, ""), (1.0, 2.0, "重新评估")]
    # expected_version 0 means "I believe there is no mark yet".
    assert refused(s.users[1], payload(s.competitors[0], s.j_aspect,
                                       expected_version=0)).code == "stale_version"


@pytest.mark.parametrize("bad", [
    None, [], {"competitor_id": 1}, {"client_id": "not-a-uuid", "competitor_id": 1,
                                     "aspect_id": 1, "score": 1},
])
def test_malformed_payloads_are_invalid(s, bad) -> None:  # type: ignore[no-untyped-def]
    assert refused(s.users[1], bad).code == "invalid"


def test_score_and_value_together_are_invalid(s) -> None:  # type: ignore[no-untyped-def]
    body = payload(s.competitors[0], s.j_aspect)
    body["value"] = 2
    error = refused(s.users[1], body)
    assert (error.code, error.field) == ("invalid", "score")


def test_unknown_aspect_and_competitor(s) -> None:  # type: ignore[no-untyped-def]
    body = payload(s.competitors[0], s.j_aspect)
    assert refused(s.users[1], {**body, "aspect_id": 9999}).code == "unknown_aspect"
    assert refused(s.users[1], {**body, "competitor_id": 9999}).code == "unknown_competitor"


def test_ranges(s) -> None:  # type: ignore[no-untyped-def]
    assert refused(s.users[1], payload(s.competitors[0], s.j_aspect, v=4)).code == \
        "out_of_range"
    assert refused(s.users[1], payload(s.competitors[0], s.j_aspect, v=1.5)).code == \
        "out_of_range"
    assert refused(s.users[1], payload(s.competitors[0], s.m_aspect, v=20)).code == \
        "out_of_range"
    assert refused(s.users[1], payload(s.competitors[0], s.m_aspect, v="30")).code == "invalid"
    for allowed in (0, 15, 30):
        assert submit_mark(s.users[1], payload(s.competitors[0], s.m_aspect, v=allowed))["ok"]
    assert versions() == 3


def test_only_assigned_judges_score(s, make_user) -> None:  # type: ignore[no-untyped-def]
    from app.domain.vocabulary import UserRole

    stranger = make_user(UserRole.JUDGE)
    assert refused(stranger, payload(s.competitors[0], s.j_aspect)).code == "not_assigned"
    assert refused(s.chief, payload(s.competitors[0], s.j_aspect)).code == "not_assigned"
    # A tablet token bound to another project does not reach this one.
    assert refused(s.users[1], payload(s.competitors[0], s.j_aspect),
                   scope=TokenScope(project_id=s.project.id + 1)).code == "not_assigned"
    assert versions() == 0


def test_conflict_of_interest_blocks_j_and_by_default_m(s) -> None:  # type: ignore[no-untyped-def]
    conflicted, competitor = s.users[0], s.competitors[1]  # both 浦东新区
    assert refused(conflicted, payload(competitor, s.j_aspect)).code == "conflict_of_interest"
    assert refused(conflicted, payload(competitor, s.m_aspect, v=30)).code == \
        "conflict_of_interest"
    s.project.block_conflicted_measurement = False
    db.session.commit()
    assert submit_mark(conflicted, payload(competitor, s.m_aspect, v=30))["ok"]
    assert refused(conflicted, payload(competitor, s.j_aspect)).code == "conflict_of_interest"
    # The same judge scores the other competitor freely.
    assert submit_mark(conflicted, payload(s.competitors[0], s.j_aspect))["ok"]


def test_a_substitute_may_score_one_competitor(s, make_user) -> None:  # type: ignore[no-untyped-def]
    from app.domain.vocabulary import UserRole
    from app.services import accounts, people

    user = accounts.create_user("judge-sub", UserRole.JUDGE, "judge password")
    sub = people.save_judge(s.competition, None, {"name": "替补", "delegation_id": None,
                                                  "employer": "", "user_id": user.id},
                            builders.valid_id_number(400))
    assert refused(user, payload(s.competitors[1], s.j_aspect)).code == "not_assigned"
    db.session.add(Substitute(competitor_id=s.competitors[1].id, judge_id=sub.id,
                              assigned_by=s.chief.id))
    db.session.commit()
    assert submit_mark(user, payload(s.competitors[1], s.j_aspect))["ok"]
    assert refused(user, payload(s.competitors[0], s.j_aspect)).code == "not_assigned"


def test_locked_modules_refuse_marks(s) -> None:  # type: ignore[no-untyped-def]
    s.j_aspect.module.locked_at = utcnow()
    db.session.commit()
    assert refused(s.users[1], payload(s.competitors[0], s.j_aspect)).code == "locked"
    assert submit_mark(s.users[1], payload(s.competitors[0], s.b_aspect, v=40))["ok"]


def test_the_panel_status_follows_the_tolerance_rule(s) -> None:  # type: ignore[no-untyped-def]
    competitor = s.competitors[0]
    statuses = [submit_mark(u, payload(competitor, s.j_aspect, v=v))["status"]
                for u, v in zip(s.users, [1, 3, 2], strict=True)]
    assert statuses == ["draft", "draft", "rediscuss"]
    mark = db.session.scalar(select(Mark).where(Mark.judge_id == s.judges[0].id))
    again = submit_mark(s.users[0], payload(competitor, s.j_aspect, v=2,
                                            expected_version=mark.version))
    assert again["status"] == "submitted"
    assert submit_mark(s.users[0], payload(competitor, s.m_aspect, v=30))["status"] == \
        "submitted"


def test_mark_history_is_append_only(s) -> None:  # type: ignore[no-untyped-def]
    submit_mark(s.users[1], payload(s.competitors[0], s.j_aspect))
    row = db.session.scalar(select(MarkVersion))
    row.value = 0
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
