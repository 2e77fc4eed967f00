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
from contextlib import ExitStack, closing
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from tests.integration import cluster

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
    with ExitStack() as made:
        def make() -> str:
            name = f"saiping_it_{os.getpid()}_{request.node.name[:30]}_{len(names)}".lower()
            names.append("".join(c if c.isalnum() else "_" for c in name))
            return made.enter_context(cluster.fresh_database(postgres_server, names[-1]))

        names: list[str] = []
        yield make


@pytest.fixture
def database(postgres_server: str) -> Iterator[str]:
    """A fresh database for a test that runs server processes on it."""
    with cluster.fresh_database(postgres_server) as fresh:
        yield fresh


@pytest.fixture(params=("threading", "gevent"))
def mode(request: pytest.FixtureRequest) -> str:
    """Each server test runs in both async modes."""
    return str(request.param)
