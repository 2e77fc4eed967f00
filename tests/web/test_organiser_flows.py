"""An organiser configures an event through the screens: the forms, their errors, and
what ends up stored."""

import re

from sqlalchemy import select

from app.domain.vocabulary import DivisionKind, JudgeRole, SchemeStatus
from app.extensions import db
from app.models import AuditEvent, Competitor, Judge, MarkingScheme, SkillProject
from app.services import people, schemes
from tests import builders


def field_error(html: str, field: str) -> str:
    match = re.search(rf'data-error-for="{field}">([^<]+)<', html)
    return match.group(1) if match else ""


def test_create_competition_then_project_with_divisions(organiser_client) -> None:
    response = organiser_client.post("/organiser/competitions/new", data={
        "name": "上海市第二届职业技能大赛", "tier": "municipal_i", "year": "2025",
        "start_date": "2025-10-20", "end_date": "2025-10-24", "visibility": "live"})
    assert response.status_code == 302
    cid = int(response.location.rsplit("/", 1)[-1])
    response = organiser_client.post(f"/organiser/competitions/{cid}/projects/new", data={
        "code": "G01", "name": "增材制造", "occupation_name": "增材制造设备操作员",
        "kind": "worldskills_selection", "team_size": "1", "divisions": ["employee", "student"],
        "total_marks": "100", "marking_method": "worldskills", "panel_size": "3",
        "venue_id": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    project = db.session.scalar(select(SkillProject).where(SkillProject.code == "G01"))
    assert {d.kind for d in project.divisions} == {DivisionKind.EMPLOYEE, DivisionKind.STUDENT}
    page = organiser_client.get(f"/organiser/competitions/{cid}/projects?q=增材").get_data(
        as_text=True)
    assert "增材制造" in page
    assert "增材制造" not in organiser_client.get(
        f"/organiser/competitions/{cid}/projects?q=养老").get_data(as_text=True)


def test_form_errors_are_shown_next_to_the_field_and_nothing_is_stored(organiser_client) -> None:
    comp = builders.competition()
    builders.project(comp, code="G01")
    response = organiser_client.post(f"/organiser/competitions/{comp.id}/projects/new", data={
        "code": "G01", "name": "另一个", "occupation_name": "x", "kind": "featured",
        "team_size": "9", "divisions": [], "total_marks": "100",
        "marking_method": "worldskills", "panel_size": "3", "venue_id": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(html, "team_size")
    assert field_error(html, "divisions")
    assert db.session.query(SkillProject).count() == 1


def test_a_duplicate_project_code_is_reported_on_the_code_field(organiser_client) -> None:
    comp = builders.competition()
    builders.project(comp, code="G01", name="工业机械")
    response = organiser_client.post(f"/organiser/competitions/{comp.id}/projects/new", data={
        "code": "G01", "name": "养老护理", "occupation_name": "养老护理员", "kind": "featured",
        "team_size": "1", "divisions": ["employee"], "total_marks": "100",
        "marking_method": "worldskills", "panel_size": "3", "venue_id": ""})
    assert field_error(response.get_data(as_text=True), "code")
    assert db.session.query(SkillProject).count() == 1


def test_a_division_with_competitors_cannot_be_removed(organiser_client) -> None:
    comp = builders.competition()
    project = builders.project(comp, divisions={DivisionKind.EMPLOYEE, DivisionKind.STUDENT})
    team = builders.delegation(comp)
    student = next(d for d in project.divisions if d.kind is DivisionKind.STUDENT)
    people.save_competitor(comp, None, {
        "name": "张三", "project_id": project.id, "division_id": student.id,
        "delegation_id": team.id, "employer": "", "current_level": None, "occupation": "",
        "workstation": "01", "team_code": None}, builders.valid_id_number())
    response = organiser_client.post(f"/organiser/projects/{project.id}/edit", data={
        "code": "G01", "name": "工业机械", "occupation_name": "机修钳工", "kind": "featured",
        "team_size": "1", "divisions": ["employee"], "total_marks": "100",
        "marking_method": "worldskills", "panel_size": "3", "venue_id": ""})
    assert field_error(response.get_data(as_text=True), "divisions")
    db.session.expire_all()
    assert len(db.session.get(SkillProject, project.id).divisions) == 2


def test_competitor_id_numbers_are_validated_protected_and_masked(organiser_client) -> None:
    comp = builders.competition()
    project = builders.project(comp)
    team = builders.delegation(comp)
    division = project.divisions[0]
    form = {"name": "李四", "project_id": project.id, "division_id": division.id,
            "delegation_id": team.id, "employer": "上海电气", "current_level": "3",
            "occupation": "", "workstation": "07", "team_code": "", "status": "active"}
    url = f"/organiser/competitions/{comp.id}/competitors/new"
    bad = organiser_client.post(url, data={**form, "id_number": "310101199001010011"})
    # Chinese is the default language: the check-digit message, as the organiser reads it.
    assert "校验位不符" in field_error(bad.get_data(as_text=True), "id_number")
    assert db.session.query(Competitor).count() == 0

    number = builders.valid_id_number(7)
    assert organiser_client.post(url, data={**form, "id_number": number}).status_code == 302
    stored = db.session.scalar(select(Competitor))
    assert stored.current_level == 3 and stored.occupation == "机修钳工"
    assert number not in {stored.id_hash, stored.id_cipher} and stored.id_last4 == number[-4:]
    listing = organiser_client.get(f"/organiser/competitions/{comp.id}/competitors")
    html = listing.get_data(as_text=True)
    assert "**************" + number[-4:] in html and number not in html

    # Editing without retyping the number keeps it.
    edit_url = f"/organiser/competitions/{comp.id}/competitors/{stored.id}/edit"
    edit_page = organiser_client.get(edit_url).get_data(as_text=True)
    assert number not in edit_page
    keep_hash = stored.id_hash
    assert organiser_client.post(edit_url, data={**form, "name": "李四四",
                                                 "id_number": ""}).status_code == 302
    db.session.expire_all()
    assert stored.name == "李四四" and stored.id_hash == keep_hash


def test_the_same_person_cannot_be_entered_twice(organiser_client) -> None:
    comp = builders.competition()
    project = builders.project(comp)
    team = builders.delegation(comp)
    number = builders.valid_id_number(8)
    form = {"name": "王五", "id_number": number, "project_id": project.id,
            "division_id": project.divisions[0].id, "delegation_id": team.id, "employer": "",
            "current_level": "", "occupation": "", "workstation": "", "team_code": "",
            "status": "active"}
    url = f"/organiser/competitions/{comp.id}/competitors/new"
    assert organiser_client.post(url, data=form).status_code == 302
    again = organiser_client.post(url, data={**form, "name": "王五五"})
    assert field_error(again.get_data(as_text=True), "id_number")
    assert db.session.query(Competitor).count() == 1


def test_judge_assignment_allows_one_chief_per_project(organiser_client) -> None:
    comp = builders.competition()
    project = builders.project(comp)
    url = f"/organiser/competitions/{comp.id}/judges/new"
    for serial, name in [(11, "赵裁判"), (12, "钱裁判")]:
        response = organiser_client.post(url, data={
            "name": name, "id_number": builders.valid_id_number(serial),
            "delegation_id": "", "employer": "上海市职业技能鉴定中心"})
        assert response.status_code == 302
    first, second = db.session.scalars(select(Judge).order_by(Judge.id)).all()
    assert organiser_client.post(f"/organiser/judges/{first.id}/assignments", data={
        "assign-project_id": project.id, "assign-role": "chief"}).status_code == 302
    page = organiser_client.post(f"/organiser/judges/{second.id}/assignments", data={
        "assign-project_id": project.id, "assign-role": "chief"}, follow_redirects=True)
    assert "赵裁判" in page.get_data(as_text=True)  # the message names the current chief
    roles = {(a.judge.name, a.role) for a in first.assignments + second.assignments}
    assert roles == {("赵裁判", JudgeRole.CHIEF)}


def test_every_write_is_audited_and_the_audit_log_is_append_only(organiser_client) -> None:
    comp = builders.competition()
    builders.delegation(comp, "静安区")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.entity) for e in events] == [("create", "competition"),
                                                      ("create", "delegation")]
    assert all(e.competition_id == comp.id for e in events)
    page = organiser_client.get(f"/organiser/competitions/{comp.id}/audit").get_data(as_text=True)
    assert "静安区" in page
    import pytest

    from app.models.audit import AppendOnlyError

    events[0].action = "tampered"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()


def _scheme_project(organiser_client):  # type: ignore[no-untyped-def]
    comp = builders.competition()
    project = builders.project(comp)
    organiser_client.post(f"/organiser/projects/{project.id}/scheme/modules/new",
                          data={"letter": "a", "name": "机械装配", "marking_day": "1",
                                "share": "60"})
    scheme = db.session.scalar(select(MarkingScheme))
    return project, scheme, scheme.modules[0]


def test_scheme_editor_flags_a_judgement_aspect_without_descriptors(organiser_client) -> None:
    _project, _scheme, module = _scheme_project(organiser_client)
    assert module.letter == "A"
    response = organiser_client.post(f"/organiser/modules/{module.id}/aspects/new", data={
        "kind": "J", "description": "工艺美观", "max_mark": "3",
        "descriptor_0": "低于标准", "descriptor_1": "符合标准"})
    assert "全部四条分档说明（已填 2 条）" in field_error(response.get_data(as_text=True),
                                                   "descriptor_2")
    assert module.aspects == []


def test_scheme_editor_flags_an_aspect_over_the_module_share(organiser_client) -> None:
    _project, _scheme, module = _scheme_project(organiser_client)
    url = f"/organiser/modules/{module.id}/aspects/new"
    ok = organiser_client.post(url, data={"kind": "M", "description": "尺寸", "max_mark": "50"})
    assert ok.status_code == 302
    over = organiser_client.post(url, data={"kind": "M", "description": "装配间隙",
                                            "max_mark": "10.5", "tolerances": "合格=10.5; 超差=0"})
    message = field_error(over.get_data(as_text=True), "max_mark")
    assert "60.5" in message and "60" in message
    db.session.expire_all()
    assert len(module.aspects) == 1


def test_scheme_activation_is_refused_until_the_total_is_right(organiser_client) -> None:
    project, scheme, module = _scheme_project(organiser_client)
    url = f"/organiser/modules/{module.id}/aspects/new"
    organiser_client.post(url, data={"kind": "M", "description": "尺寸", "max_mark": "30"})
    organiser_client.post(url, data={
        "kind": "J", "description": "工艺", "max_mark": "30", "descriptor_0": "差",
        "descriptor_1": "合格", "descriptor_2": "良好", "descriptor_3": "优秀"})
    page = organiser_client.post(f"/organiser/projects/{project.id}/scheme/activate",
                                 follow_redirects=True).get_data(as_text=True)
    assert "60" in page and "100" in page  # "The aspects add up to 60, not 100"
    db.session.expire_all()
    assert scheme.status is SchemeStatus.DRAFT
    assert schemes.scheme_summary(project).total == 60

    organiser_client.post(f"/organiser/projects/{project.id}/scheme/modules/new",
                          data={"letter": "B", "name": "调试", "share": "40"})
    module_b = db.session.scalar(select(MarkingScheme)).modules[1]
    organiser_client.post(f"/organiser/modules/{module_b.id}/aspects/new",
                          data={"kind": "M", "description": "运行", "max_mark": "40"})
    organiser_client.post(f"/organiser/projects/{project.id}/scheme/activate")
    db.session.expire_all()
    assert scheme.status is SchemeStatus.ACTIVE
    # An active scheme is not edited in place.
    refused = organiser_client.post(f"/organiser/modules/{module_b.id}/aspects/new",
                                    data={"kind": "M", "description": "多余", "max_mark": "1"},
                                    follow_redirects=True)
    assert refused.status_code == 200
    db.session.expire_all()
    assert len(module_b.aspects) == 1
