from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import UserRole
from app.models.base import Base, utcnow
from app.models.types import enum_column


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    # None: the account cannot sign in with a password (token or tablet code only).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # A team leader (领队) speaks for one delegation of one competition.
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active


class ApiToken(Base):
    """A bearer token for the REST API and the judges' socket. Only its hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # A tablet token from a one-time code is bound to one project; None = unrestricted.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("skill_project.id"))
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
