"""Flask commands for operators: accounts, tokens, demo data, serving, promotion."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import User
from app.services import accounts


def register_cli(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", type=click.Choice([r.value for r in UserRole]), required=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                  help="At least 8 characters. Prompted for when not given.")
    @click.option("--name", "display_name", default="", help="Name shown on screens.")
    def create_user(username: str, role: str, password: str, display_name: str) -> None:
        """Create a user account with a role."""
        try:
            accounts.create_user(username, UserRole(role), password, display_name)
        except accounts.AccountError as error:
            raise click.ClickException(_account_error(error.code)) from None
        click.echo(f"created {username} ({role})")

    @app.cli.command("list-users")
    @click.option("--role", type=click.Choice([r.value for r in UserRole]), default=None,
                  help="Only accounts with this role.")
    def list_users(role: str | None) -> None:
        """Print usernames, one per line, sorted (deactivated accounts too)."""
        query = select(User.username).order_by(User.username)
        if role:
            query = query.where(User.role == UserRole(role))
        for username in db.session.scalars(query):
            click.echo(username)

    @app.cli.command("issue-token")
    @click.argument("username")
    @click.option("--label", default="", help="What the token is for, e.g. a tablet's name.")
    def issue_token(username: str, label: str) -> None:
        """Print a new bearer token for USERNAME (shown once; only its hash is kept)."""
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user named {username!r}")
        click.echo(accounts.issue_token(user, label))

    @app.cli.command("revoke-tokens")
    @click.argument("username")
    def revoke_tokens(username: str) -> None:
        """Revoke every token of USERNAME."""
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user named {username!r}")
        click.echo(f"revoked {accounts.revoke_tokens(user)} token(s)")


    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when a competition exists.")
    def seed_demo(if_empty: bool) -> None:
        """Seed the demo competition (deterministic; running it again changes nothing)."""
        from app.services.demo import seed_demo as run_seed

        summary = run_seed(if_empty=if_empty)
        click.echo(summary)

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5000, type=int, envvar="PORT")
    def serve(host: str, port: int) -> None:
        """Serve the app (HTTP and Socket.IO) and print the demo logins."""
        from app.extensions import socketio
        from app.services.demo import demo_logins

        logins = demo_logins()
        if logins:
            click.echo("Demo logins (username / password):")
            for role, username, password in logins:
                click.echo(f"  {role:<12} {username:<16} {password}")
        click.echo(f"Serving on http://{host}:{port}")
        # The flask CLI sets this so a stray app.run() cannot block other commands; here
        # running the server is the command's purpose, and without this it returns at once.
        os.environ.pop("FLASK_RUN_FROM_CLI", None)
        socketio.run(current_app._get_current_object(), host=host, port=port,  # type: ignore[attr-defined]
                     allow_unsafe_werkzeug=True, use_reloader=False)

    @app.cli.command("promote")
    @click.argument("competition_id", type=int)
    def promote(competition_id: int) -> None:
        """Run the 以赛代评 engine over a competition's published results."""
        from app.models import Competition
        from app.services import promotion

        competition = db.session.get(Competition, competition_id)
        if competition is None:
            raise click.ClickException(f"no competition {competition_id}")
        try:
            summary = promotion.run(competition)
        except promotion.PromotionBlocked as blocked:
            for found in blocked.blockers:
                where = found.project.name if found.project else competition.name
                click.echo(f"blocked: {where}: {found.code} {found.params or ''}", err=True)
            raise SystemExit(2) from None
        click.echo(", ".join(f"{k} {v}" for k, v in summary.__dict__.items()))

    @app.cli.command("backup")
    @click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="The file to write (default: instance/backups/saiping-<UTC time>"
                       ".sqlite, or .dump on PostgreSQL).")
    def backup(output: Path | None) -> None:
        """Back up the live database while it serves (SQLite online backup, or pg_dump)."""
        from app.services import backup as backups

        try:
            made = backups.backup(db.engine.url, output,
                                  Path(current_app.instance_path) / "backups")
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{made.kind} backup written: {made.path} ({backups.human_size(made.size)})")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--into", required=True, metavar="URL",
                  help="A fresh database: sqlite:///new-file, or postgresql+psycopg://… of an "
                       "existing, empty database. One with tables is refused.")
    def restore(path: Path, into: str) -> None:
        """Restore a backup into a fresh database (never over one with tables)."""
        from app.services import backup as backups

        try:
            where = backups.restore(path, into, base=Path(current_app.instance_path))
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"restored {path} into {where}")
        click.echo("next: `flask db upgrade` with DATABASE_URL set to it (when this code is "
                   "newer than the backup), then point the servers' DATABASE_URL at it")

    from app.simulate import simulate  # judges scoring over /judge, for watching (README)

    app.cli.add_command(simulate)


def _account_error(code: str) -> str:
    return {
        "username_taken": "that username is taken",
        "username_invalid": "the username must be 1 to 64 characters",
        "password_too_short": "the password must be at least 8 characters",
    }.get(code, code)
