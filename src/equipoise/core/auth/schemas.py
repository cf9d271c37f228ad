"""Who is asking (the principal) and the user/token shapes the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Role = Literal["agent", "lead", "manager", "admin"]
ROLES: tuple[str, ...] = ("agent", "lead", "manager", "admin")
#: Roles that see every team's cases, costs and budgets.
WIDE_ROLES: frozenset[str] = frozenset({"manager", "admin"})


class Principal(BaseModel):
    """The authenticated caller of one request."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    role: Role
    team_ids: frozenset[int] = frozenset()
    via: Literal["session", "token"]

    @property
    def sees_all_teams(self) -> bool:
        """Managers and admins see every team; agents and leads only their own."""
        return self.role in WIDE_ROLES

    @property
    def sees_costs(self) -> bool:
        """Costs and budgets are open to managers and admins."""
        return self.role in WIDE_ROLES

    def can_see_team(self, team_id: int | None) -> bool:
        """Whether a record owned by ``team_id`` is visible (unassigned records: wide roles only)."""
        return self.sees_all_teams or (team_id is not None and team_id in self.team_ids)


def _email(value: str) -> str:
    value = value.strip().lower()
    local, sep, domain = value.partition("@")
    if not sep or not local or "." not in domain or " " in value:
        raise ValueError("expected an e-mail address such as name@example.com")
    return value


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str | None = Field(default=None, min_length=12, max_length=1024)
    team_ids: list[Id] = Field(default_factory=list, max_length=200)
    agent_id: Id | None = None

    _check_email = field_validator("email")(_email)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    password: str | None = Field(default=None, min_length=12, max_length=1024)
    team_ids: list[Id] | None = Field(default=None, max_length=200)
    is_active: bool | None = None
    agent_id: Id | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    is_active: bool
    agent_id: int | None
    team_ids: list[int]
    created_at: dt.datetime
    last_login_at: dt.datetime | None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class SessionRead(BaseModel):
    """Returned at sign-in: who signed in and the CSRF token to echo on every change."""

    user: UserRead
    csrf_token: str
    expires_at: dt.datetime


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    #: Days until the token expires; null for a token that lives until revoked.
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    #: Admins may issue a token for another (integration) user.
    user_id: Id | None = None


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenRead):
    """The only time the secret is shown: store it now, it cannot be read again."""

    token: str
