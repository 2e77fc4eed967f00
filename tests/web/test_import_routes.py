"""The import screens: upload (plain form and XHR), preview with every bad row, confirm,
result, templates, and the messages for bad files, shown in the user's language."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.domain.vocabulary import SchemeStatus
from app.extensions import db
from app.models import AuditEvent, Competitor, ImportJob, MarkingScheme
from app.services import imports
from tests.import_builder import (
    COMPETITOR_HEADER,
    SCHEME_HEADER,
    World,
    build_world,
    competitor_row,
    csv_bytes,
    scheme_rows,
    xlsx_bytes,
)

JSON = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


@pytest.fixture
def browser(organiser_client: FlaskClient) -> FlaskClient:
    organiser_client.get("/lang/en")  # assertions below read the English messages
    return organiser_client


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def upload_url(world: World, kind: str = "competitors") -> str:
    if kind == "scheme":
        return f"/organiser/projects/{world.machining.id}/import/scheme"
    return f"/organiser/competitions/{world.competition.id}/import/{kind}"


def upload(client: FlaskClient, url: str, data: bytes, filename: str = "people.xlsx",
           headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", headers=headers or {})


def multipart(data: bytes, filename: str) -> tuple[bytes, str]:
    boundary = "saipingboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    return body + data + f"\r\n--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def people(*rows: list[str]) -> bytes:
    return xlsx_bytes(COMPETITOR_HEADER, rows)


@pytest.mark.parametrize("kind", ["competitors", "judges", "scheme"])
def test_the_upload_page_offers_templates_and_a_progress_bar(
        browser: FlaskClient, world: World, kind: str) -> None:
    page = text(browser.get(upload_url(world, kind)))
    assert 'enctype="multipart/form-data"' in page and "data-import-upload" in page
    assert f"/organiser/import-templates/{kind}.xlsx?competition=" in page
    assert f"/organiser/import-templates/{kind}.csv?competition=" in page
    assert "data-progress" in page and "js/import.js" in page
    assert "身份证号" in page or kind == "scheme"


def test_upload_preview_confirm_result(browser: FlaskClient, world: World) -> None:
    response = upload(browser, upload_url(world), people(competitor_row(1), competitor_row(2)))
    assert response.status_code == 302
    preview_url = response.location
    assert re.fullmatch(rf"/organiser/competitions/{world.competition.id}/imports/\d+",
                        preview_url)
    page = text(browser.get(preview_url))
    assert 'data-count="new">2<' in page and "选手1" in page
    assert "Confirm the import" in page and "only_valid" not in page
    assert count(Competitor) == 0  # nothing stored before the confirmation

    response = browser.post(preview_url + "/confirm")
    assert response.status_code == 302 and response.location == preview_url
    assert count(Competitor) == 2 and count(AuditEvent) == 1
    page = text(browser.get(preview_url))
    assert "Imported: 2 new, 0 updated." in page
    assert 'data-count="new">2<' in page
    assert f'href="/organiser/competitions/{world.competition.id}/competitors"' in page


def test_xhr_upload_answers_json(browser: FlaskClient, world: World) -> None:
    response = upload(browser, upload_url(world), people(competitor_row(1)), headers=JSON)
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["redirect"].startswith(
        f"/organiser/competitions/{world.competition.id}/imports/")
    response = upload(browser, upload_url(world), b"", "people.xlsx", headers=JSON)
    assert response.status_code == 400
    assert response.json == {"errors": ["The file is empty."]}


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("people.pdf", b"%PDF-1.4", ".pdf files cannot be imported. Upload a .xlsx or .csv file."),
    ("people.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 60, "old Excel .xls file"),
    ("people.xlsx", b"this is not a workbook", "The file cannot be read"),
    ("people.csv", b"", "The file is empty."),
    ("people.csv", csv_bytes(["姓名", "身份证号", "赛项代码", "代表队", "工作单位或学校",
                              "现技能等级"], [["a"] * 6]),
     "Required columns are missing: 组别 (division)."),
])
def test_bad_files_get_a_clear_message_and_store_nothing(
        browser: FlaskClient, world: World, filename: str, data: bytes, message: str) -> None:
    response = upload(browser, upload_url(world), data, filename)
    assert response.status_code == 400
    assert message in text(response)
    assert count(ImportJob) == count(Competitor) == 0


def test_no_file_chosen(browser: FlaskClient, world: World) -> None:
    response = browser.post(upload_url(world), data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a .xlsx or .csv file to upload." in text(response)


def test_too_many_rows_is_a_clear_message(app: Flask, browser: FlaskClient,
                                          world: World) -> None:
    app.config["IMPORT_MAX_ROWS"] = 2
    data = people(*(competitor_row(i) for i in range(1, 4)))
    response = upload(browser, upload_url(world), data)
    assert "more than 2 data rows" in text(response)
    assert count(ImportJob) == 0


def test_an_oversized_upload_is_refused_on_the_import_page(
        app: Flask, browser: FlaskClient, world: World) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    # With CSRF on, as in production, the limit trips while the token is being read.
    app.config["WTF_CSRF_ENABLED"] = True
    # A pre-encoded body: the test client would spool a large form to a temporary file
    # that it never closes when the app refuses to read it.
    body, content_type = multipart(b"x" * (1024 * 1024 + 1), "big.csv")
    response = browser.post(upload_url(world), data=body, content_type=content_type)
    assert response.status_code == 413
    page = text(response)
    assert "The file is too large. The limit is 1 MB" in page
    assert "data-import-upload" in page  # still the import page, ready for another file
    response = browser.post(upload_url(world, "scheme"), data=body, content_type=content_type,
                            headers=JSON)
    assert response.status_code == 413
    assert response.json is not None and "too large" in response.json["errors"][0]
    assert count(ImportJob) == 0


def bad_people() -> bytes:
    return people(competitor_row(1), competitor_row(2, delegation="火星代表队"),
                  competitor_row(3, level="大师"))


def test_the_preview_lists_every_bad_row_with_row_column_value_and_why(
        browser: FlaskClient, world: World) -> None:
    preview_url = upload(browser, upload_url(world), bad_people()).location
    page = text(browser.get(preview_url))
    rows = re.findall(r"<tr><td>(\d+)</td><td[^>]*>([^<]*)</td><td><code>([^<]*)</code></td>"
                      r"<td>([^<]*)</td></tr>", page)
    assert rows == [
        ("3", "代表队", "火星代表队", "No delegation has this name in this competition. "
                                  "Add the delegation first."),
        ("4", "现技能等级", "大师",
         "Not a skill level: use 5 to 1, 五级 to 一级, 初级工 to 高级技师, or leave it empty."),
    ]
    assert 'data-count="bad">2<' in page and 'name="only_valid"' in page


def test_a_file_with_errors_imports_nothing_unless_only_valid_is_ticked(
        browser: FlaskClient, world: World) -> None:
    preview_url = upload(browser, upload_url(world), bad_people()).location
    page = text(browser.post(preview_url + "/confirm", follow_redirects=True))
    assert "Nothing was imported: 2 rows have errors." in page
    assert count(Competitor) == count(AuditEvent) == 0
    browser.post(preview_url + "/confirm", data={"only_valid": "y"})
    assert [c.name for c in db.session.scalars(select(Competitor))] == ["选手1"]
    page = text(browser.get(preview_url))
    assert "The 2 bad rows were left out." in page


def test_more_than_200_errors_are_paginated(browser: FlaskClient, world: World) -> None:
    data = people(*(competitor_row(i, level="大师") for i in range(1, 251)))
    preview_url = upload(browser, upload_url(world), data).location
    first = text(browser.get(preview_url))
    assert first.count("<tr><td>") == 200
    assert f"{preview_url}?page=2" in first and "250 in all" in first
    second = text(browser.get(preview_url + "?page=2"))
    assert second.count("<tr><td>") == 50 and "<tr><td>251</td>" in second


def test_the_messages_follow_the_language(organiser_client: FlaskClient,
                                          world: World) -> None:
    organiser_client.get("/lang/en")
    english = text(upload(organiser_client, upload_url(world), b"", "a.csv"))
    organiser_client.get("/lang/zh")
    chinese = text(upload(organiser_client, upload_url(world), b"", "a.csv"))
    assert 'lang="en"' in english and 'lang="zh-CN"' in chinese
    assert "The file is empty." in english and "文件为空。" not in english
    assert "文件为空。" in chinese and "The file is empty." not in chinese


def test_scheme_import_and_the_active_scheme_refusal(browser: FlaskClient,
                                                     world: World) -> None:
    data = xlsx_bytes(SCHEME_HEADER, scheme_rows())
    preview_url = upload(browser, upload_url(world, "scheme"), data, "scheme.xlsx").location
    assert 'data-count="new">6<' in text(browser.get(preview_url))
    browser.post(preview_url + "/confirm")
    scheme = db.session.scalars(select(MarkingScheme)).one()
    scheme.status = SchemeStatus.ACTIVE
    db.session.commit()
    preview_url = upload(browser, upload_url(world, "scheme"), data, "scheme.xlsx").location
    page = text(browser.get(preview_url))
    assert "data-blocked" in page and "is active, so an import cannot change it" in page
    assert "Confirm the import" not in page


def test_a_scheme_off_its_total_shows_the_draft_warning(browser: FlaskClient,
                                                        world: World) -> None:
    rows = scheme_rows()
    rows[-5][8] = 20  # B2: 35 -> 20, the total is 85
    rows[5][8] = None
    data = csv_bytes(SCHEME_HEADER, rows)
    preview_url = upload(browser, upload_url(world, "scheme"), data, "scheme.csv").location
    page = text(browser.get(preview_url))
    assert 'data-warning="total_mismatch"' in page
    assert "stored as a draft and cannot be activated" in page


@pytest.mark.parametrize("kind", ["competitors", "judges", "scheme"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_downloaded_templates_upload_cleanly(browser: FlaskClient, world: World, kind: str,
                                             fmt: str) -> None:
    response = browser.get(f"/organiser/import-templates/{kind}.{fmt}"
                           f"?competition={world.competition.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert ("spreadsheetml" if fmt == "xlsx" else "text/csv") in response.content_type
    preview_url = upload(browser, upload_url(world, kind), response.data, f"t.{fmt}").location
    page = text(browser.get(preview_url))
    assert 'data-count="bad">0<' in page and "data-warning" not in page


def test_a_job_is_only_shown_under_its_own_competition(browser: FlaskClient,
                                                       world: World) -> None:
    preview_url = upload(browser, upload_url(world), people(competitor_row(1))).location
    other = build_world("另一个大赛")
    job_id = preview_url.rsplit("/", 1)[1]
    wrong = f"/organiser/competitions/{other.competition.id}/imports/{job_id}"
    assert browser.get(wrong).status_code == 404
    assert browser.post(wrong + "/confirm").status_code == 404
    assert browser.get("/organiser/competitions/999/import/competitors").status_code == 404


def test_forms_need_a_csrf_token(app: Flask, browser: FlaskClient, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = upload(browser, upload_url(world), people(competitor_row(1)))
    assert response.status_code == 400
    assert count(ImportJob) == 0


def test_a_confirmed_job_cannot_be_confirmed_twice(browser: FlaskClient,
                                                   world: World) -> None:
    preview_url = upload(browser, upload_url(world), people(competitor_row(1))).location
    browser.post(preview_url + "/confirm")
    page = text(browser.post(preview_url + "/confirm", follow_redirects=True))
    assert "already been imported" in page
    assert count(AuditEvent) == 1
    assert db.session.scalars(select(ImportJob)).one().status == imports.COMMITTED
