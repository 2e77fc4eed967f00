"""Every organiser route refuses anonymous users and every role but organiser."""

import re

import pytest
from flask import Flask

from app.domain.vocabulary import UserRole
from tests.conftest import login


def organiser_routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organiser"):
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", "1", rule.rule)
        url = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", url)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    return routes


def test_the_route_table_is_not_empty(app: Flask) -> None:
    # Guards the parametrised tests below from silently checking nothing.
    assert len(organiser_routes(app)) >= 25


@pytest.mark.parametrize("role", [None, *[r for r in UserRole if r is not UserRole.ORGANISER]])
def test_organiser_routes_refuse_others(app: Flask, client, make_user, role) -> None:  # type: ignore[no-untyped-def]
    if role is not None:
        login(client, make_user(role))
    for method, url in organiser_routes(app):
        response = client.open(url, method=method)
        if role is None:
            assert response.status_code == 302, (method, url)
            assert response.location.startswith("/login?next="), (method, url)
        else:
            assert response.status_code == 403, (method, url, role)


def test_an_organiser_gets_through(organiser_client) -> None:  # type: ignore[no-untyped-def]
    assert organiser_client.get("/organiser/").status_code == 200
