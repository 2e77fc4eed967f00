"""Signing a module off: locked only when every aspect counts, by the project's chief
judge only, unlocked only with a written reason; logged, audited and pushed after commit."""

import pytest
from sqlalchemy import func, select

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import AuditEvent, ModuleLockEvent
from app.realtime.publisher import project_room
from app.services import signoff
from app.services.errors import ServiceError
from app.services.marking import MarkingError
from tests import builders
from tests.chief_builders import (
    cheap_passwords,
    complete_module_a,
    other_project,
    record_pushes,
    score,
)


@pytest.fixture
def s(app, monkeypatch):  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    return builders.judging_setup(panel_size=2)


@pytest.fixture
def pushes(monkeypatch):  # type: ignore[no-untyped-def]
    return record_pushes(monkeypatch)


def count(model) -> int:  # type: ignore[no-untyped-def]
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_incomplete_module_is_not_locked_and_the_blockers_say_why(s, pushes) -> None:  # type: ignore[no-untyped-def]
    module = s.j_aspect.module
    score(s.users[1], s.competitors[0], s.j_aspect, 2)  # one of two: panel incomplete
    blockers = signoff.lock_module(s.chief, module)
    by_key = {(b.competitor_id, b.aspect_code): b.status for b in blockers}
    assert by_key == {
        (s.competitors[0].id, "A1"): "draft", (s.competitors[0].id, "A2"): "empty",
        (s.competitors[1].id, "A1"): "empty", (s.competitors[1].id, "A2"): "empty"}
    assert module.locked_at is None
    assert count(ModuleLockEvent) == 0
    assert not pushes.named("module_locked")


def test_a_panel_out_of_tolerance_blocks_the_sign_off(s) -> None:  # type: ignore[no-untyped-def]
    complete_module_a(s)
    score(s.users[2], s.competitors[1], s.j_aspect, 3, expected_version=1)  # 1 and 3
    blockers = signoff.lock_module(s.chief, s.j_aspect.module)
    assert [(b.competitor_id, b.aspect_code, b.status) for b in blockers] == [
        (s.competitors[1].id, "A1", "rediscuss")]
    assert s.j_aspect.module.locked_at is None


def test_differing_measurement_entries_block_the_sign_off(s) -> None:  # type: ignore[no-untyped-def]
    complete_module_a(s)
    score(s.users[2], s.competitors[0], s.m_aspect, 15)  # judge 2 entered 30
    blockers = signoff.lock_module(s.chief, s.j_aspect.module)
    assert [(b.aspect_code, b.status) for b in blockers] == [("A2", "rediscuss")]


def test_a_complete_module_is_locked_logged_audited_and_pushed(s, pushes) -> None:  # type: ignore[no-untyped-def]
    module = s.j_aspect.module
    complete_module_a(s)
    pushes.sent.clear()
    assert signoff.lock_module(s.chief, module) == []
    assert module.locked_at is not None and module.locked_by == s.chief.id
    (event,) = db.session.scalars(select(ModuleLockEvent)).all()
    assert (event.action, event.user_id, event.module_id) == ("lock", s.chief.id, module.id)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "module_lock"))
    assert audit is not None and audit.entity_id == module.id
    room = project_room(s.project.id)
    assert pushes.named("module_locked") == [
        ("/judge", "module_locked", {"module_id": module.id, "locked": True}, room)]
    assert pushes.named("module_lock") == [
        ("/staff", "module_lock", {"module_id": module.id, "locked": True, "letter": "A"}, room)]
    # Locked marks cannot change; module B is still open.
    with pytest.raises(MarkingError) as refused:
        score(s.users[1], s.competitors[0], s.j_aspect, 3, expected_version=1)
    assert refused.value.code == "locked"
    assert score(s.users[1], s.competitors[0], s.b_aspect, 40)["ok"]


def test_locking_twice_is_refused(s) -> None:  # type: ignore[no-untyped-def]
    complete_module_a(s)
    assert signoff.lock_module(s.chief, s.j_aspect.module) == []
    with pytest.raises(ServiceError) as refused:
        signoff.lock_module(s.chief, s.j_aspect.module)
    assert refused.value.code == "already_locked"
    assert count(ModuleLockEvent) == 1


@pytest.mark.parametrize("who", ["judge", "organiser", "supervisor", "other_chief"])
def test_only_the_projects_chief_judge_locks_and_unlocks(s, make_user, who) -> None:  # type: ignore[no-untyped-def]
    complete_module_a(s)
    user = {"judge": lambda: s.users[1],
            "organiser": lambda: make_user(UserRole.ORGANISER),
            "supervisor": lambda: make_user(UserRole.SUPERVISOR),
            "other_chief": lambda: other_project(s)[1]}[who]()
    module = s.j_aspect.module
    with pytest.raises(ServiceError) as refused:
        signoff.lock_module(user, module)
    assert refused.value.code == "forbidden" and module.locked_at is None
    signoff.lock_module(s.chief, module)
    with pytest.raises(ServiceError) as refused:
        signoff.unlock_module(user, module, "申诉复核：重新评分")
    assert refused.value.code == "forbidden" and module.locked_at is not None


@pytest.mark.parametrize("reason", ["", "   ", "abc", " 复核 "])
def test_unlocking_needs_a_written_reason(s, pushes, reason) -> None:  # type: ignore[no-untyped-def]
    complete_module_a(s)
    module = s.j_aspect.module
    signoff.lock_module(s.chief, module)
    pushes.sent.clear()
    with pytest.raises(ServiceError) as refused:
        signoff.unlock_module(s.chief, module, reason)
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    assert module.locked_at is not None and count(ModuleLockEvent) == 1 and not pushes.sent


def test_unlocking_with_a_reason_keeps_it_and_lets_marks_change(s, pushes) -> None:  # type: ignore[no-untyped-def]
    complete_module_a(s)
    module = s.j_aspect.module
    signoff.lock_module(s.chief, module)
    pushes.sent.clear()
    signoff.unlock_module(s.chief, module, "  申诉成立，A1 重新评分  ")
    assert module.locked_at is None and module.locked_by is None
    unlock = db.session.scalar(select(ModuleLockEvent).where(ModuleLockEvent.action == "unlock"))
    assert unlock is not None and unlock.reason == "申诉成立，A1 重新评分"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "module_unlock"))
    assert audit is not None and audit.details["reason"] == "申诉成立，A1 重新评分"
    assert pushes.named("module_locked") == [
        ("/judge", "module_locked", {"module_id": module.id, "locked": False},
         project_room(s.project.id))]
    assert score(s.users[1], s.competitors[0], s.j_aspect, 3, expected_version=1)["ok"]


def test_unlocking_an_open_module_is_refused(s) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError) as refused:
        signoff.unlock_module(s.chief, s.j_aspect.module, "a long enough reason")
    assert refused.value.code == "not_locked"
    assert count(ModuleLockEvent) == 0
