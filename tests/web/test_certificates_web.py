"""Certificates in public: the verification page, the PDF download and
GET /api/v1/certificates/verify.

The certificates are made once per module through the real services
(tests/browser/seed_certificates.py) in a database file; each test gets a copy of it and
an app of its own, so the rate limiter (one global Flask-Limiter, set up by each app)
starts fresh for every test.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.ctx import AppContext
from flask.testing import FlaskClient

from app import create_app
from app.domain.vocabulary import UserRole
from app.extensions import db
from app.services import accounts
from tests.chief_builders import cheap_passwords
from tests.conftest import PASSWORD, TEST_SECRET, login
from tests.pdf_text import pdf_text
from tests.web.test_openapi import check, response_schema

SHANGHAI = ZoneInfo("Asia/Shanghai")
VERIFY, API = "/certificates/verify", "/api/v1/certificates/verify"
API_FIELDS = {"number", "name", "id_number_masked", "occupation_name", "occupation_code",
              "level", "issuing_body", "issued_on", "status", "revoked_on",
              "competition_name", "project_name", "rank"}


@dataclass(frozen=True)
class Holder:
    number: str
    name: str
    id_number: str
    id_hash: str
    issued_on: str
    revoked_on: str  # ISO date in Asia/Shanghai; "" while valid


@dataclass(frozen=True)
class World:
    database: Path
    valid: Holder
    revoked: Holder
    other: Holder  # another holder, for a number that belongs to someone else


def _config(database: Path, **extra: object) -> dict[str, Any]:
    return {"TESTING": True, "SECRET_KEY": TEST_SECRET, "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "RATELIMIT_ENABLED": False,
            "LIVE_UPDATE_INTERVAL": 0, "DEMO_LOGINS_FILE": database.parent / "logins.txt",
            **extra}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from tests.browser.seed_certificates import issue_certificates

    database = tmp_path_factory.mktemp("certificates") / "seeded.sqlite"
    app = create_app(_config(database))
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        cheap_passwords(patch)
        db.create_all()
        issued = issue_certificates()
        accounts.create_user("organiser", UserRole.ORGANISER, PASSWORD)
        accounts.create_user("judge", UserRole.JUDGE, PASSWORD)

        def holder(index: int) -> Holder:
            c = issued.certificates[index]
            revoked = c.revoked_at.astimezone(SHANGHAI).date().isoformat() \
                if c.revoked_at else ""
            return Holder(c.number, c.name, issued.id_numbers[c.name], c.id_hash,
                          c.issued_on.isoformat(), revoked)

        seeded = World(database, holder(0), holder(-1), holder(1))
        db.session.remove()
        db.engine.dispose()
    yield seeded


@pytest.fixture
def make_app(world: World, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """make_app(**config) -> an app on a fresh copy of the seeded database."""
    contexts: list[AppContext] = []

    def make(**extra: object) -> Flask:
        copy = tmp_path / f"copy{len(contexts)}.sqlite"
        shutil.copy(world.database, copy)
        app = create_app(_config(copy, **extra))
        context = app.app_context()
        context.push()
        contexts.append(context)
        return app

    yield make
    for context in reversed(contexts):
        db.session.remove()
        context.pop()


@pytest.fixture
def client(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app().test_client()


def page(client: FlaskClient, **query: str) -> tuple[int, str]:
    response = client.get(VERIFY, query_string=query)
    return response.status_code, response.get_data(as_text=True)


def cards(html: str) -> list[tuple[str, str]]:
    """(number, status) of each result card on the page."""
    return re.findall(r'data-certificate="([^"]+)" data-status="([a-z]+)"', html)


# ------------------------------------------------------------------ the page


def field(html: str, name: str) -> str:
    """The text of a result card's field (data-field=name), tags dropped."""
    match = re.search(rf'data-field="{name}">(.*?)</dd>', html, re.S)
    assert match, name
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_number_and_name_show_the_certificate(client: FlaskClient, world: World) -> None:
    holder = world.valid
    status, html = page(client, number=holder.number, name=holder.name)
    assert status == 200
    assert cards(html) == [(holder.number, "valid")]
    assert "cert-card--valid" in html and "cert-card--revoked" not in html
    year, month, day = (int(part) for part in holder.issued_on.split("-"))
    assert {name: field(html, name) for name in (
        "name", "id", "occupation", "level", "number", "issuing-body", "issued-on")} == {
        "name": holder.name, "id": "**************" + holder.id_number[-4:],
        "occupation": "机修钳工 6-31-01-03", "level": "二级 · 技师", "number": holder.number,
        "issuing-body": "上海市职业技能鉴定指导中心", "issued-on": f"{year}年{month}月{day}日"}
    source = field(html, "source")
    assert source.startswith("上海市测试技能大赛 · 工业机械 · ")
    assert re.search(r"rank 1\b|第\s*1\s*名", source), source
    assert holder.id_number not in html and holder.id_hash not in html
    # The card links to the PDF with the name, the one way the public gets it.
    assert f"/certificates/{holder.number}.pdf?name=" in html


def test_the_number_is_forgiving_about_case_and_spaces(client: FlaskClient,
                                                       world: World) -> None:
    typed = " ".join(re.findall(".{1,6}", world.valid.number.lower()))
    status, html = page(client, number=typed, name=world.valid.name)
    assert status == 200 and cards(html) == [(world.valid.number, "valid")]


def test_id_number_and_name_show_the_certificate(client: FlaskClient, world: World) -> None:
    status, html = page(client, id_number=world.valid.id_number, name=world.valid.name)
    assert status == 200 and cards(html) == [(world.valid.number, "valid")]
    # The typed ID number comes back in the form (and the page's own links), never in
    # the result.
    card = html[html.index("<article"):html.index("</article>")]
    assert world.valid.id_number not in card
    assert field(html, "id") == "**************" + world.valid.id_number[-4:]


def test_a_name_alone_is_refused(client: FlaskClient, world: World) -> None:
    status, html = page(client, name=world.valid.name)
    assert status == 400
    assert cards(html) == []
    assert 'data-error-for="number"' in html
    assert world.valid.number not in html


def test_a_number_alone_asks_for_the_name_and_shows_nothing(client: FlaskClient,
                                                            world: World) -> None:
    status, html = page(client, number=world.valid.number)
    assert status == 200
    assert "data-asks-name" in html and cards(html) == []
    assert world.valid.name not in html  # not the holder's name, nor anything else
    assert "data-not-found" not in html and "is-invalid" not in html
    (name_input,) = re.findall(r'<input[^>]*name="name"[^>]*>', html)
    assert "autofocus" in name_input
    assert 'name="id_number"' not in html  # only the name is missing: nothing else to ask


def test_a_malformed_number_alone_is_refused_before_the_name_is_asked(
        client: FlaskClient) -> None:
    status, html = page(client, number="S1234")
    assert status == 400
    assert 'data-error-for="number"' in html and "data-asks-name" not in html


@pytest.mark.parametrize("whose", ["stranger", "other holder"])
def test_a_wrong_name_finds_nothing(client: FlaskClient, world: World, whose: str) -> None:
    name = "王小明" if whose == "stranger" else world.other.name
    status, html = page(client, number=world.valid.number, name=name)
    assert status == 200
    assert "data-not-found" in html and cards(html) == []
    assert world.valid.name not in html


def test_an_unknown_number_reads_like_a_wrong_name(client: FlaskClient, world: World) -> None:
    unknown = world.valid.number[:-6] + "999999"
    _, missing = page(client, number=unknown, name=world.valid.name)
    _, wrong_name = page(client, number=world.valid.number, name="王小明")
    def answer(html: str) -> str:  # the page below the navigation, typed values left out
        return re.sub(r"<input[^>]*>", "", html[html.index("<main"):])

    assert "data-not-found" in missing
    assert answer(missing) == answer(wrong_name)


def test_a_revoked_certificate_is_shown_revoked(client: FlaskClient, world: World) -> None:
    status, html = page(client, number=world.revoked.number, name=world.revoked.name)
    assert status == 200
    assert cards(html) == [(world.revoked.number, "revoked")]
    assert "cert-card--revoked" in html and "cert-card--valid" not in html
    assert world.revoked.revoked_on
    assert f'data-revoked-on="{world.revoked.revoked_on}"' in html
    year, month, day = (int(part) for part in world.revoked.revoked_on.split("-"))
    assert f"{year}年{month}月{day}日" in html


@pytest.mark.parametrize(("query", "field"), [
    ({"number": "S123", "name": "张伟"}, "number"),
    ({"number": "S000031000123262000001X", "name": "张伟"}, "number"),
    ({"number": "S000031000123269000001", "name": "张伟"}, "number"),  # level digit 9
    ({"id_number": "310101199001011008", "name": "张伟"}, "id_number"),  # checksum
    ({"number": "S000031000123262000001", "name": "张" * 51}, "name"),
])
def test_bad_input_is_shown_on_its_field(client: FlaskClient, query: dict[str, str],
                                         field: str) -> None:
    status, html = page(client, **query)
    assert status == 400
    assert f'data-error-for="{field}"' in html and cards(html) == []


def test_the_page_speaks_chinese_first(client: FlaskClient, world: World) -> None:
    """The field labels with a Chinese translation in the catalogue come out in Chinese."""
    _, html = page(client, number=world.valid.number, name=world.valid.name)
    assert 'lang="zh-CN"' in html
    assert "身份证号" in html and "姓名" in html


# ------------------------------------------------------------------ the PDF


def get_pdf(client: FlaskClient, number: str, **query: str) -> Any:
    return client.get(f"/certificates/{number}.pdf", query_string=query)


def test_the_pdf_needs_the_holders_name_in_public(client: FlaskClient, world: World) -> None:
    holder = world.valid
    bare = get_pdf(client, holder.number)
    assert bare.status_code == 302
    assert bare.headers["Location"].endswith(f"{VERIFY}?number={holder.number}")
    for number, name in ((holder.number, "王小明"), (holder.number, world.other.name),
                         ("S123", holder.name), (holder.number[:-6] + "999999", holder.name)):
        assert get_pdf(client, number, name=name).status_code == 404, (number, name)
    response = get_pdf(client, holder.number, name=holder.name)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="certificate-{holder.number}.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    text = pdf_text(response.data)
    assert holder.name in text and holder.number in text and "职业技能等级证书" in text


def test_a_signed_in_judge_is_the_public(client: FlaskClient, world: World) -> None:
    login(client, accounts_user("judge"))
    assert get_pdf(client, world.valid.number).status_code == 302


def test_the_organiser_always_gets_the_pdf(client: FlaskClient, world: World) -> None:
    login(client, accounts_user("organiser"))
    response = get_pdf(client, world.valid.number)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert get_pdf(client, world.valid.number[:-6] + "999999").status_code == 404


def test_a_revoked_certificate_pdf_is_served_stamped(client: FlaskClient, world: World) -> None:
    response = get_pdf(client, world.revoked.number, name=world.revoked.name)
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "已撤销" in text and "REVOKED" in text


def accounts_user(username: str) -> Any:
    from sqlalchemy import select

    from app.models import User

    return db.session.scalars(select(User).where(User.username == username)).one()


# ------------------------------------------------------------------ the API


def api(client: FlaskClient, status: int, **query: str) -> Any:
    response = client.get(API, query_string=query)
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    errors = check(body, response_schema(API, status))
    assert not errors, errors[:5]
    return body


def test_the_api_finds_by_number_or_id_number_with_the_name(client: FlaskClient,
                                                            world: World) -> None:
    holder = world.valid
    (found,) = api(client, 200, number=holder.number, name=holder.name)["certificates"]
    assert set(found) == API_FIELDS
    assert found == {
        "number": holder.number, "name": holder.name,
        "id_number_masked": "**************" + holder.id_number[-4:],
        "occupation_name": "机修钳工", "occupation_code": "6-31-01-03", "level": 2,
        "issuing_body": "上海市职业技能鉴定指导中心", "issued_on": holder.issued_on,
        "status": "valid", "revoked_on": None, "competition_name": "上海市测试技能大赛",
        "project_name": "工业机械", "rank": 1}
    by_id = api(client, 200, id_number=holder.id_number, name=holder.name)["certificates"]
    assert by_id == [found]


def test_the_api_shows_a_revoked_certificate_as_revoked(client: FlaskClient,
                                                        world: World) -> None:
    (found,) = api(client, 200, number=world.revoked.number,
                   name=world.revoked.name)["certificates"]
    assert found["status"] == "revoked"
    assert found["revoked_on"] == world.revoked.revoked_on


def test_the_api_never_shows_the_id_number_or_its_hash(client: FlaskClient,
                                                       world: World) -> None:
    for holder in (world.valid, world.revoked):
        for query in ({"number": holder.number}, {"id_number": holder.id_number}):
            response = client.get(API, query_string={**query, "name": holder.name})
            raw = response.get_data(as_text=True)
            assert response.status_code == 200 and holder.name in response.get_json()[
                "certificates"][0]["name"]
            assert holder.id_number not in raw and holder.id_hash not in raw
            assert "id_hash" not in raw and "id_cipher" not in raw


def test_the_api_misses_with_an_empty_list(client: FlaskClient, world: World) -> None:
    assert api(client, 200, number=world.valid.number, name="王小明") == {"certificates": []}
    assert api(client, 200, number=world.valid.number[:-6] + "999999",
               name=world.valid.name) == {"certificates": []}


@pytest.mark.parametrize(("query", "code", "field"), [
    ({"name": "张伟"}, "number_or_id_required", "number"),
    ({"number": "S000031000123262000001"}, "name_required", "name"),
    ({}, "name_required", "name"),
    ({"number": "X000031000123262000001", "name": "张伟"}, "number_format", "number"),
    ({"number": "S000031000123260000001", "name": "张伟"}, "number_level", "number"),
    ({"id_number": "31010119900101100", "name": "张伟"}, "id_format", "id_number"),
    ({"id_number": "310101199002301007", "name": "张伟"}, "id_birth_date", "id_number"),
    ({"id_number": "310101199001011008", "name": "张伟"}, "id_checksum", "id_number"),
])
def test_the_api_refuses_bad_input_with_a_code_and_the_field(
        client: FlaskClient, query: dict[str, str], code: str, field: str) -> None:
    error = api(client, 400, **query)["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]


# ------------------------------------------------------------------ the rate limit


def test_lookups_are_rate_limited_per_address_across_page_pdf_and_api(
        make_app: Callable[..., Flask], world: World) -> None:
    app = make_app(RATELIMIT_ENABLED=True, CERTIFICATE_LOOKUP_LIMIT="3 per minute")
    client = app.test_client()
    holder = world.valid
    # Without a name nothing can be found, so the form and the QR link are not counted.
    for _ in range(5):
        assert client.get(VERIFY).status_code == 200
        assert client.get(VERIFY, query_string={"number": holder.number}).status_code == 200
    lookup = {"number": holder.number, "name": holder.name}
    assert client.get(VERIFY, query_string=lookup).status_code == 200
    assert client.get(API, query_string=lookup).status_code == 200
    assert get_pdf(client, holder.number, name=holder.name).status_code == 200
    # The fourth lookup from this address, on any of the three, is refused.
    limited = client.get(VERIFY, query_string=lookup)
    assert limited.status_code == 429
    html = limited.get_data(as_text=True)
    assert "data-rate-limited" in html and "data-lookup-form" in html and cards(html) == []
    assert f'value="{holder.number}"' in html  # the form keeps what was typed
    refused = client.get(API, query_string=lookup)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert not check(refused.get_json(), response_schema(API, 429))
    assert get_pdf(client, holder.number, name=holder.name).status_code == 429
    # Another address has its own budget.
    other = client.get(VERIFY, query_string=lookup, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200 and cards(other.get_data(as_text=True))


def test_the_organiser_is_not_rate_limited(make_app: Callable[..., Flask],
                                           world: World) -> None:
    app = make_app(RATELIMIT_ENABLED=True, CERTIFICATE_LOOKUP_LIMIT="2 per minute")
    client = app.test_client()
    login(client, accounts_user("organiser"))
    codes = {get_pdf(client, world.valid.number).status_code for _ in range(4)}
    assert codes == {200}
