from sqlalchemy import select

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import Judge, User
from app.services import accounts
from tests import builders


def test_organiser_creates_a_judge_account_and_links_it(organiser_client) -> None:  # type: ignore[no-untyped-def]
    response = organiser_client.post("/organiser/users/new", data={
        "username": "judge-g01-1", "display_name": "赵裁判", "role": "judge", "locale": "",
        "active": "y", "password": "a long password"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "judge-g01-1"))
    assert accounts.authenticate("judge-g01-1", "a long password") == user

    comp = builders.competition()
    organiser_client.post(f"/organiser/competitions/{comp.id}/judges/new", data={
        "name": "赵裁判", "id_number": builders.valid_id_number(21), "delegation_id": "",
        "employer": "", "user_id": str(user.id)})
    assert db.session.scalar(select(Judge)).user_id == user.id


def test_new_accounts_need_a_proper_password(organiser_client) -> None:  # type: ignore[no-untyped-def]
    short = organiser_client.post("/organiser/users/new", data={
        "username": "x1", "role": "judge", "active": "y", "password": "short"})
    missing = organiser_client.post("/organiser/users/new", data={
        "username": "x2", "role": "judge", "active": "y", "password": ""})
    assert 'data-error-for="password"' in short.get_data(as_text=True)
    assert 'data-error-for="password"' in missing.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username.in_(["x1", "x2"]))) is None


def test_the_last_organiser_cannot_lock_everyone_out(organiser_client) -> None:  # type: ignore[no-untyped-def]
    me = db.session.scalar(select(User).where(User.username == "organiser"))
    response = organiser_client.post(f"/organiser/users/{me.id}/edit", data={
        "username": "organiser", "display_name": "组委会", "role": "judge", "active": "y"})
    assert 'data-error-for="role"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert me.role is UserRole.ORGANISER


def test_tokens_can_be_revoked_from_the_screen(organiser_client, make_user) -> None:  # type: ignore[no-untyped-def]
    judge = make_user(UserRole.JUDGE)
    token = accounts.issue_token(judge)
    organiser_client.post(f"/organiser/users/{judge.id}/revoke-tokens")
    assert accounts.user_for_token(token) is None
