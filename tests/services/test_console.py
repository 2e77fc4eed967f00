"""The console's read model: who may watch, the grid of a module with statuses and aspect
marks, the tolerance queue, and each competitor's history with its .xlsx export."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.services import console, signoff, substitutes
from tests import builders
from tests.chief_builders import add_judge, cheap_passwords, other_project, score


@pytest.fixture
def s(app, monkeypatch):  # type: ignore[no-untyped-def]
    cheap_passwords(monkeypatch)
    return builders.judging_setup()


def cell(grid: console.Grid, competitor, aspect) -> console.Cell:  # type: ignore[no-untyped-def]
    row = next(r for r in grid.rows if r.competitor_id == competitor.id)
    return next(c for c in row.cells if c.aspect.id == aspect.id)


def grid_a(s) -> console.Grid:  # type: ignore[no-untyped-def]
    return console.module_grid(s.project, s.j_aspect.module)


def test_watchers_are_the_chief_of_the_project_supervisors_and_organisers(s, make_user) -> None:  # type: ignore[no-untyped-def]
    other, other_chief = other_project(s)
    supervisor, organiser = make_user(UserRole.SUPERVISOR), make_user(UserRole.ORGANISER)
    assert console.may_watch(s.chief, s.project) and not console.may_watch(s.chief, other)
    assert console.is_chief(s.chief, s.project) and not console.is_chief(other_chief, s.project)
    assert [p.id for p in console.watchable_projects(s.chief)] == [s.project.id]
    for reader in (supervisor, organiser):
        assert console.may_watch(reader, s.project) and not console.is_chief(reader, s.project)
        assert {p.id for p in console.watchable_projects(reader)} == {s.project.id, other.id}
    assert not console.may_watch(s.users[0], s.project)
    assert console.watchable_projects(s.users[0]) == []
    s.chief.active = False
    db.session.commit()
    assert not console.may_watch(s.chief, s.project)


def test_statuses_and_aspect_marks_follow_the_panel_rules(s) -> None:  # type: ignore[no-untyped-def]
    first, second = s.competitors
    assert cell(grid_a(s), first, s.j_aspect).status == "empty"
    score(s.users[0], first, s.j_aspect, 2)
    score(s.users[1], first, s.j_aspect, 2)
    assert cell(grid_a(s), first, s.j_aspect).status == "draft"
    score(s.users[2], first, s.j_aspect, 3)
    agreed = cell(grid_a(s), first, s.j_aspect)
    assert agreed.status == "submitted" and agreed.spread == 1
    assert agreed.mark == pytest.approx(30 * 7 / 9)  # max × mean / 3
    assert {j: e.value for j, e in agreed.entries.items()} == {
        s.judges[0].id: 2, s.judges[1].id: 2, s.judges[2].id: 3}
    score(s.users[1], second, s.j_aspect, 0)
    score(s.users[2], second, s.j_aspect, 2)
    wide = cell(grid_a(s), second, s.j_aspect)
    assert wide.status == "draft"  # judge 1 may not score: the panel stays incomplete
    score(s.users[1], first, s.m_aspect, 15)
    m = cell(grid_a(s), first, s.m_aspect)
    assert (m.status, m.mark) == ("submitted", 15)
    score(s.users[2], first, s.m_aspect, 30)
    m = cell(grid_a(s), first, s.m_aspect)
    assert (m.status, m.mark) == ("rediscuss", None)  # two entries that disagree
    grid = grid_a(s)
    assert grid.progress.counts == {"empty": 1, "draft": 1, "rediscuss": 1, "submitted": 1}
    assert grid.progress.percent == 25
    assert next(r for r in grid.rows if r.competitor_id == first.id).total == pytest.approx(
        30 * 7 / 9)


def test_conflicts_show_per_cell_and_measurement_follows_the_project_setting(s) -> None:  # type: ignore[no-untyped-def]
    second = s.competitors[1]
    grid = grid_a(s)
    assert cell(grid, second, s.j_aspect).conflicted == {s.judges[0].id}
    assert s.judges[0].id not in cell(grid, second, s.j_aspect).eligible
    assert cell(grid, second, s.m_aspect).conflicted == {s.judges[0].id}
    assert cell(grid, s.competitors[0], s.j_aspect).conflicted == set()
    s.project.block_conflicted_measurement = False
    db.session.commit()
    grid = grid_a(s)
    assert cell(grid, second, s.j_aspect).conflicted == {s.judges[0].id}  # J always
    assert cell(grid, second, s.m_aspect).conflicted == set()


def test_substitutes_get_a_column_but_score_only_their_competitor(s) -> None:  # type: ignore[no-untyped-def]
    spare = add_judge(s, "替补裁判", delegation="静安区")
    substitutes.assign_substitute(s.chief, s.competitors[1], spare)
    grid = grid_a(s)
    assert [(c.name, c.substitute) for c in grid.columns] == [
        ("裁判1", False), ("裁判2", False), ("裁判3", False), ("替补裁判", True)]
    assert spare.id in cell(grid, s.competitors[1], s.j_aspect).eligible
    assert spare.id not in cell(grid, s.competitors[0], s.j_aspect).eligible


def test_encrypted_projects_keep_names_out_of_the_grid(s) -> None:  # type: ignore[no-untyped-def]
    assert [r.label for r in grid_a(s).rows] == ["01 张伟", "02 李娜"]
    s.project.encrypted = True
    db.session.commit()
    rows = grid_a(s).rows
    assert [(r.label, r.name, r.workstation) for r in rows] == [
        ("01", None, "01"), ("02", None, "02")]


def test_the_tolerance_queue_lists_every_open_module_of_the_project(s) -> None:  # type: ignore[no-untyped-def]
    for user, value in zip(s.users, [0, 2, 3], strict=True):
        score(user, s.competitors[0], s.j_aspect, value)
    score(s.users[1], s.competitors[0], s.b_aspect, 40)
    score(s.users[2], s.competitors[0], s.b_aspect, 0)
    found = console.disagreements(s.project)
    assert [(d.module.letter, d.aspect.id, d.label, d.spread) for d in found] == [
        ("A", s.j_aspect.id, "01 张伟", 3), ("B", s.b_aspect.id, "01 张伟", 40)]
    assert found[0].scores == [("裁判3", 3), ("裁判2", 2), ("裁判1", 0)]


def test_locked_modules_leave_the_queue(app, s) -> None:  # type: ignore[no-untyped-def]
    s.project.panel_size = 2
    db.session.commit()
    score(s.users[1], s.competitors[0], s.b_aspect, 40)
    score(s.users[1], s.competitors[1], s.b_aspect, 40)
    module_b = s.b_aspect.module
    assert signoff.lock_module(s.chief, module_b) == []
    assert console.module_grid(s.project, module_b).locked
    assert console.disagreements(s.project) == []


def test_history_keeps_every_version_with_who_when_where_and_why(s) -> None:  # type: ignore[no-untyped-def]
    tablet_time = "2026-11-23T09:30:00+08:00"
    score(s.users[1], s.competitors[0], s.j_aspect, 1, device_id="tablet-07",
          tablet_time=tablet_time)
    score(s.users[1], s.competitors[0], s.j_aspect, 2, expected_version=1,
          device_id="tablet-07", reason="重新讨论后改分")
    score(s.users[2], s.competitors[1], s.j_aspect, 3)  # someone else's history
    lines = console.competitor_history(s.competitors[0])
    assert [(v.aspect_code, v.judge_name, v.username, v.previous_value, v.value, v.version,
             v.device_id, v.reason) for v in lines] == [
        ("A1", "裁判2", "judge2", None, 1, 1, "tablet-07", ""),
        ("A1", "裁判2", "judge2", 1, 2, 2, "tablet-07", "重新讨论后改分")]
    assert lines[0].tablet_time == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    assert lines[0].server_time <= lines[1].server_time


def test_the_history_exports_as_a_workbook_in_local_time(s) -> None:  # type: ignore[no-untyped-def]
    score(s.users[1], s.competitors[0], s.m_aspect, 15, device_id="tablet-07")
    score(s.users[1], s.competitors[0], s.m_aspect, 30, expected_version=1, reason="复测")
    lines = console.competitor_history(s.competitors[0])
    headers = ["server", "tablet", "aspect", "type", "description", "judge", "account",
               "device", "old", "new", "version", "reason"]
    data = console.history_xlsx("history of 01", headers, lines, ZoneInfo("Asia/Shanghai"))
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "history of 01" and list(rows[1]) == headers
    assert [r[2:] for r in rows[2:]] == [
        ("A2", "M", "尺寸", "裁判2", "judge2", "tablet-07", None, 15, 1, None),  # "" is empty
        ("A2", "M", "尺寸", "裁判2", "judge2", None, 15, 30, 2, "复测")]
    shanghai = lines[0].server_time.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs(rows[2][0] - shanghai) < timedelta(seconds=1)
