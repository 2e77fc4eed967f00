"""`flask --app wsgi list-users [--role ROLE]`: usernames for operators, one per line."""

from flask import Flask

from app.domain.vocabulary import UserRole
from app.extensions import db


def test_list_users_prints_usernames_one_per_line(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["list-users"]).output == ""  # no accounts yet
    make_user(UserRole.JUDGE, "judge-b")
    make_user(UserRole.ORGANISER, "organiser")
    make_user(UserRole.JUDGE, "judge-a")
    gone = make_user(UserRole.JUDGE, "评委-丙")
    gone.active = False  # listed too: operators look deactivated accounts up as well
    db.session.commit()

    everyone = runner.invoke(args=["list-users"])
    assert everyone.exit_code == 0, everyone.output
    assert everyone.output.splitlines() == ["judge-a", "judge-b", "organiser", "评委-丙"]
    judges = runner.invoke(args=["list-users", "--role", "judge"])
    assert judges.output == "judge-a\njudge-b\n评委-丙\n"
    assert runner.invoke(args=["list-users", "--role", "chief_judge"]).output == ""


def test_list_users_refuses_an_unknown_role(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["list-users", "--role", "wizard"])
    assert result.exit_code == 2 and "wizard" in result.output
