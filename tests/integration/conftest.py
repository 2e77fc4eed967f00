"""Integration tests: real PostgreSQL (and Redis) servers.

They run when SAIPING_TEST_DATABASE_URL names a PostgreSQL server
(postgresql+psycopg://postgres@127.0.0.1:5432/postgres; `make test` sets it after
.ci/services.sh has started the servers) and are skipped otherwise, so a plain `pytest`
works on a laptop with neither. Once the variable is set, a server that does not answer
is an error, not a skip: a run that asked for PostgreSQL must not pass without it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url

DATABASE_ENV = "SAIPING_TEST_DATABASE_URL"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: act on this directory's only.
    skip = pytest.mark.skip(reason=f"{DATABASE_ENV} is not set (see tests/integration/conftest.py)")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.integration)
            if not os.environ.get(DATABASE_ENV):
                item.add_marker(skip)


def admin_dsn(server: str) -> str:
    """libpq's DSN for the server's `postgres` database, from SQLAlchemy's URL."""
    url = make_url(server).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """SAIPING_TEST_DATABASE_URL, once the server has answered."""
    server = os.environ.get(DATABASE_ENV)
    if not server:
        pytest.skip(f"{DATABASE_ENV} is not set")
    try:
        with closing(psycopg.connect(admin_dsn(server), connect_timeout=5)) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as error:
        pytest.fail(f"{DATABASE_ENV}={server} does not answer (make services starts it): {error}",
                    pytrace=False)
    return server


@pytest.fixture
def fresh_postgres_database(postgres_server: str, request: pytest.FixtureRequest
                            ) -> Iterator[Callable[[], str]]:
    """Makes empty databases of the test's own; returns each one's SQLAlchemy URL.

    Named with the pid (parallel runs never collide) and the test; dropped WITH (FORCE)
    afterwards, since a killed server process may leave connections behind.
    """
    made: list[str] = []

    def make() -> str:
        name = f"saiping_it_{os.getpid()}_{request.node.name[:30]}_{len(made)}".lower()
        name = "".join(c if c.isalnum() else "_" for c in name)
        _run(postgres_server, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
        _run(postgres_server, "CREATE DATABASE {}", name)
        made.append(name)
        return make_url(postgres_server).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in made:
        _run(postgres_server, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def _run(server: str, statement: str, name: str) -> None:
    with closing(psycopg.connect(admin_dsn(server), autocommit=True, connect_timeout=5)) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(name)))
