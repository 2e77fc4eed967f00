"""The result sheets over HTTP: the public ones at /c/<competition>/p/<project>/results.*
(no login, the public read model) and the staff ones at /organiser/projects/<id>/results.*
(organisers, supervisors and the project's own chief judge, live results)."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from openpyxl import load_workbook

from app.domain.vocabulary import JudgeRole, UserRole, Visibility
from app.extensions import db
from app.services import accounts, people
from app.services.marking import submit_mark
from tests import builders
from tests.builders import JudgingSetup, judging_setup
from tests.conftest import PASSWORD, login
from tests.pdf_text import pdf_text

FORMATS = ("xlsx", "csv", "pdf")


@pytest.fixture
def setup(app) -> JudgingSetup:
    s = judging_setup()
    for judge in range(3):
        assert submit_mark(s.users[judge], {
            "client_id": str(uuid.uuid4()), "competitor_id": s.competitors[0].id,
            "aspect_id": s.j_aspect.id, "score": 2})["ok"]
    assert submit_mark(s.users[1], {
        "client_id": str(uuid.uuid4()), "competitor_id": s.competitors[1].id,
        "aspect_id": s.m_aspect.id, "value": 15.0})["ok"]
    return s


def public_url(s: JudgingSetup, fmt: str, **args: object) -> str:
    query = "".join(f"&{k}={v}" for k, v in args.items())
    return f"/c/{s.competition.id}/p/{s.project.id}/results.{fmt}?{query.lstrip('&')}"


def staff_url(s: JudgingSetup, fmt: str, project_id: int | None = None) -> str:
    division = s.project.divisions[0].id
    return f"/organiser/projects/{project_id or s.project.id}/results.{fmt}?division={division}"


def names_in(fmt: str, body: bytes) -> list[str]:
    """The competitors' names in a sheet, in the order printed."""
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        return [row[2] for row in rows[1:]]
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).active
        values = [row[2] for row in sheet.iter_rows(values_only=True) if len(row) > 2]
        return [v for v in values if v in ("张伟", "李娜")]
    text = pdf_text(body)
    return sorted((n for n in ("张伟", "李娜") if n in text), key=text.index)


def sign_in(client, username: str, password: str) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


# ------------------------------------------------------------------ public


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_public_sheet_needs_no_login_and_shows_the_live_board(client, setup, fmt):
    response = client.get(public_url(setup, fmt, division=setup.project.divisions[0].id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    disposition = "inline" if fmt == "pdf" else "attachment"
    assert response.headers["Content-Disposition"] == (
        f'{disposition}; filename="results-G01-employee-provisional.{fmt}"')
    assert names_in(fmt, response.data) == ["张伟", "李娜"]


def test_the_public_sheets_types(client, setup):
    types = {fmt: client.get(public_url(setup, fmt)).headers["Content-Type"] for fmt in FORMATS}
    assert types == {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
    assert client.get(public_url(setup, "csv")).data.startswith(b"\xef\xbb\xbf")
    assert client.get(public_url(setup, "pdf")).data.startswith(b"%PDF-")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_hidden_board_leaks_nothing_through_the_public_sheets(client, setup, fmt):
    setup.competition.visibility = Visibility.HIDDEN
    db.session.commit()
    body = client.get(public_url(setup, fmt)).data
    assert names_in(fmt, body) == []
    if fmt == "csv":
        assert body.decode("utf-8-sig").count("\r\n") == 1  # the headings only
    # The staff sheet of the same board, meanwhile, is complete.
    login(client, new_organiser())
    assert names_in(fmt, client.get(staff_url(setup, fmt)).data) == ["张伟", "李娜"]


def test_public_sheets_of_what_does_not_exist_are_not_found(client, setup):
    other = builders.project(setup.competition, code="G02", name="焊接")
    elsewhere = builders.competition("另一个大赛")
    base = f"/c/{setup.competition.id}/p/{setup.project.id}"
    for url in (f"/c/{elsewhere.id}/p/{setup.project.id}/results.csv",  # wrong competition
                f"/c/{setup.competition.id}/p/999/results.csv",
                f"{base}/results.csv?division=999",
                f"{base}/results.csv?division={other.divisions[0].id}",  # another project's
                f"{base}/results.csv?division=abc",
                f"{base}/results.txt", f"{base}/results.xls"):
        assert client.get(url).status_code == 404, url


# ------------------------------------------------------------------ staff


def new_organiser():
    return accounts.create_user("organiser", UserRole.ORGANISER, PASSWORD)


def test_staff_sheets_send_anonymous_users_to_sign_in(client, setup):
    response = client.get(staff_url(setup, "csv"))
    assert response.status_code == 302 and response.location.startswith("/login?next=")


@pytest.mark.parametrize("fmt", FORMATS)
def test_organisers_get_the_live_results_whatever_the_public_sees(client, setup, fmt):
    setup.competition.visibility = Visibility.PROGRESS
    db.session.commit()
    login(client, new_organiser())
    response = client.get(staff_url(setup, fmt))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert names_in(fmt, response.data) == ["张伟", "李娜"]


def test_the_projects_chief_judge_and_supervisors_may_download_the_staff_sheet(client, setup):
    sign_in(client, "chief", "chief password")
    assert names_in("pdf", client.get(staff_url(setup, "pdf")).data) == ["张伟", "李娜"]
    client.post("/logout")
    accounts.create_user("supervisor", UserRole.SUPERVISOR, PASSWORD)
    sign_in(client, "supervisor", PASSWORD)
    assert client.get(staff_url(setup, "xlsx")).status_code == 200


def test_a_judge_or_another_projects_chief_judge_is_refused(client, setup):
    sign_in(client, "judge1", "judge password")
    assert client.get(staff_url(setup, "csv")).status_code == 403
    client.post("/logout")
    other = builders.project(setup.competition, code="G02", name="焊接")
    user = accounts.create_user("chief-g02", UserRole.CHIEF_JUDGE, PASSWORD)
    judge = people.save_judge(setup.competition, None, {
        "name": "另一位裁判长", "delegation_id": None, "employer": "", "user_id": user.id},
        builders.valid_id_number(400))
    people.assign_judge(judge, other, JudgeRole.CHIEF)
    sign_in(client, "chief-g02", PASSWORD)
    assert client.get(staff_url(setup, "csv")).status_code == 403
    assert client.get(f"/organiser/projects/{other.id}/results.csv").status_code == 200


def test_staff_sheets_of_what_does_not_exist(client, setup):
    sign_in(client, "chief", "chief password")
    # Not found to an organiser; forbidden to anyone else, who may not learn which exist.
    assert client.get(staff_url(setup, "csv", project_id=999)).status_code == 403
    client.post("/logout")
    login(client, new_organiser())
    assert client.get(staff_url(setup, "csv", project_id=999)).status_code == 404
    url = f"/organiser/projects/{setup.project.id}/results.csv?division=999"
    assert client.get(url).status_code == 404
    assert client.get(f"/organiser/projects/{setup.project.id}/results.doc").status_code == 404
