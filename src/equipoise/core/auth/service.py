"""Rules for users, sign-in, sessions and API tokens. Services flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy.orm import Session

from equipoise.core.audit.service import record, snapshot
from equipoise.core.auth import cache, repository
from equipoise.core.auth.schemas import (
    Principal,
    TokenCreate,
    UserCreate,
    UserRead,
    UserUpdate,
)
from equipoise.core.auth.secrets import (
    digest,
    hash_password,
    needs_rehash,
    new_secret,
    new_token,
    verify_password,
)
from equipoise.kit.errors import AppError, Conflict, InvalidInput, NotFound
from equipoise.models.auth import ApiToken, User, UserSession

SESSION_LIFETIME = dt.timedelta(hours=12)
#: last_used_at is written at most this often per token, so busy integrations do not write on every call.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


class Unauthorized(AppError):
    status_code = 401


class Forbidden(AppError):
    status_code = 403


class TooManyAttempts(AppError):
    """429: too many failed sign-ins; ``retry_after`` seconds until the next attempt is checked."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginLimits:
    """Failed password sign-ins allowed per account and per client address within ``window``."""

    per_account: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.per_account < 1 or self.per_address < 1 or self.window <= dt.timedelta(0):
            raise ValueError(f"login limits must be positive, got {self}")


#: Audit entries that hold the failed sign-ins: one per failure for the account (keyed by the
#: SHA-256 of its normalised e-mail, known or not, so that a lock-out does not reveal whether an
#: account exists) and one for the client address.
FAILED, RESET, LOCKOUT = "auth.login_failed", "auth.login_reset", "auth.lockout"
ACCOUNT, ADDRESS = "login_account", "login_address"


@dataclass(frozen=True)
class OpenedSession:
    """A new browser session: the cookie secret (shown once) and its CSRF token."""

    secret: str
    csrf_token: str
    expires_at: dt.datetime
    user: User


def to_read(session: Session, user: User) -> UserRead:
    """The API view of ``user`` with its teams."""
    return UserRead.model_validate({**snapshot(user), "created_at": user.created_at,
                                    "last_login_at": user.last_login_at,
                                    "team_ids": repository.team_ids(session, user.id)})


def _check_teams(session: Session, teams: list[int]) -> None:
    missing = set(teams) - repository.existing_team_ids(session, teams)
    if missing:
        raise InvalidInput(f"unknown team id(s): {sorted(missing)}", field="team_ids")


def _check_agent(session: Session, agent_id: int | None) -> None:
    if agent_id is not None and repository.agent_team(session, agent_id) is None:
        raise InvalidInput(f"no agent with id {agent_id}", field="agent_id")


def create_user(session: Session, data: UserCreate, *, actor: Principal | None, now: dt.datetime) -> User:
    """Create a user (``actor`` None means the command line creating the first admin)."""
    if repository.get_user_by_email(session, data.email) is not None:
        raise Conflict(f"a user with e-mail {data.email} already exists", field="email")
    _check_teams(session, data.team_ids)
    _check_agent(session, data.agent_id)
    user = User(email=data.email, name=data.name, role=data.role, is_active=True, agent_id=data.agent_id,
                password_hash=hash_password(data.password) if data.password else None, created_at=now)
    session.add(user)
    session.flush()
    repository.set_team_ids(session, user.id, data.team_ids)
    record(session, actor, "user.create", "user", user.id, None,
           {**snapshot(user), "team_ids": sorted(set(data.team_ids))}, at=now)
    return user


def update_user(session: Session, user_id: int, data: UserUpdate, *, actor: Principal,
                now: dt.datetime) -> User:
    """Change a user's name, role, teams, password or active flag."""
    user = get_user(session, user_id)
    cache.forget_at_commit(session, user_id=user_id)  # role, teams or status may change
    before = {**snapshot(user), "team_ids": repository.team_ids(session, user_id)}
    changes = data.model_dump(exclude_unset=True)
    demotes = ("role" in changes and changes["role"] != "admin") or changes.get("is_active") is False
    if user.role == "admin" and demotes and repository.count_admins(session) <= 1:
        raise Conflict("the last active admin cannot be demoted or deactivated", field="role")
    for key in ("name", "role", "is_active"):
        if changes.get(key) is not None:
            setattr(user, key, changes[key])
    if "agent_id" in changes:
        _check_agent(session, changes["agent_id"])
        user.agent_id = changes["agent_id"]
    if changes.get("password"):
        user.password_hash = hash_password(changes["password"])
    if changes.get("team_ids") is not None:
        _check_teams(session, changes["team_ids"])
        repository.set_team_ids(session, user_id, changes["team_ids"])
    session.flush()
    after = {**snapshot(user), "team_ids": repository.team_ids(session, user_id),
             "password_changed": bool(changes.get("password"))}
    record(session, actor, "user.update", "user", user_id, {**before, "password_changed": False}, after, at=now)
    return user


def get_user(session: Session, user_id: int) -> User:
    user = repository.get_user(session, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def find_user(session: Session, email: str) -> User:
    """The user signing in as ``email``."""
    user = repository.get_user_by_email(session, email)
    if user is None:
        raise NotFound(f"no user with e-mail {email}", field="email")
    return user


def list_users(session: Session, *, limit: int = 100, offset: int = 0) -> list[UserRead]:
    users = repository.list_users(session, limit=limit, offset=offset)
    teams = repository.team_ids_for_users(session, [u.id for u in users])
    return [UserRead.model_validate({**snapshot(u), "created_at": u.created_at, "last_login_at": u.last_login_at,
                                     "team_ids": teams[u.id]}) for u in users]


def principal_for(session: Session, user: User, via: str) -> Principal:
    return Principal(user_id=user.id, role=user.role, via=via,
                     team_ids=frozenset(repository.team_ids(session, user.id)))


def _throttle_keys(email: str, address: str | None, limits: LoginLimits) -> list[tuple[str, str, int]]:
    keys = [(ACCOUNT, digest(email.strip().lower()), limits.per_account)]
    if address:
        keys.append((ADDRESS, address[:64], limits.per_address))
    return keys


def _retry_after(failures: list[dt.datetime], limit: int, window: dt.timedelta, now: dt.datetime) -> int:
    """Seconds until fewer than ``limit`` of ``failures`` (oldest first) are inside the window."""
    frees_at = failures[len(failures) - limit] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))


def login(session: Session, email: str, password: str, *, now: dt.datetime, address: str | None = None,
          limits: LoginLimits | None = None) -> OpenedSession:
    """Check the password and open a browser session; the same error for every failure.

    Failed attempts are counted per account and per client ``address`` in the audit log (so every
    worker process sees them); once ``limits`` are reached the password is not even checked and
    ``TooManyAttempts`` (429) says when to retry. A failure is flushed before ``Unauthorized`` is
    raised: the caller must commit it although the sign-in fails. A success resets the account's
    count (not the address's, which would let one valid account cover guessing at others).
    """
    limits = limits or LoginLimits()
    since = now - limits.window
    keys = _throttle_keys(email, address, limits)
    counted = []
    for entity, key, limit in keys:
        failures = repository.recent_failures(session, entity, key, failed=FAILED, reset=RESET, since=since)
        if len(failures) >= limit:
            wait = _retry_after(failures, limit, limits.window, now)
            raise TooManyAttempts(f"too many failed sign-ins; try again in {math.ceil(wait / 60)} minute(s)",
                                  retry_after=wait)
        counted.append(len(failures))
    user = repository.get_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        detail = {"email": email.strip().lower()[:254], "address": address,
                  "user_id": user.id if user is not None else None}
        for (entity, key, limit), before in zip(keys, counted, strict=True):
            record(session, None, FAILED, entity, key, None, detail, at=now)
            if before + 1 == limit:
                record(session, None, LOCKOUT, entity, key, None,
                       {**detail, "failures": limit, "until": now + limits.window}, at=now)
        raise Unauthorized("wrong e-mail or password")
    if counted[0]:
        record(session, None, RESET, ACCOUNT, keys[0][1], None, {"user_id": user.id, "address": address}, at=now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    repository.delete_expired_sessions(session, user.id, now)
    secret, csrf = new_secret(), new_secret()
    expires = now + SESSION_LIFETIME
    session.add(UserSession(user_id=user.id, secret_hash=digest(secret), csrf_token=csrf,
                            created_at=now, expires_at=expires))
    session.flush()
    record(session, Principal(user_id=user.id, role=user.role, via="session"), "auth.login", "user",
           user.id, None, None, at=now)
    return OpenedSession(secret=secret, csrf_token=csrf, expires_at=expires, user=user)


def logout(session: Session, secret: str) -> None:
    """End the browser session holding ``secret`` (nothing happens if it is already gone)."""
    secret_digest = digest(secret)
    repository.delete_session(session, secret_digest)
    cache.forget_at_commit(session, secret_digest=secret_digest)
    session.flush()


def principal_from_session(session: Session, secret: str, *, now: dt.datetime) -> tuple[Principal, str] | None:
    """The principal and CSRF token of a live session cookie, or None (recent answers come from the cache)."""
    secret_digest, database = digest(secret), cache.database_key(session)
    hit = cache.get(database, "session", secret_digest, now)
    if hit is not None:
        return hit.principal, hit.csrf_token or ""
    row = repository.get_session_by_digest(session, secret_digest)
    if row is None or row.expires_at <= now:
        return None
    user = repository.get_user(session, row.user_id)
    if user is None or not user.is_active:
        return None
    principal = principal_for(session, user, "session")
    cache.put(database, "session", secret_digest, principal, csrf_token=row.csrf_token, expires_at=row.expires_at)
    return principal, row.csrf_token


def cached_principal(database: str, kind: str, secret: str, now: dt.datetime) -> tuple[Principal, str | None] | None:
    """The principal (and CSRF token of a session) of a credential resolved moments ago, without the database."""
    hit = cache.get(database, kind, digest(secret), now)
    return (hit.principal, hit.csrf_token) if hit is not None else None


def principal_from_token(session: Session, token: str, *, now: dt.datetime) -> Principal | None:
    """The principal of a valid, unrevoked, unexpired API token, or None (recent answers come from the cache)."""
    secret_digest, database = digest(token), cache.database_key(session)
    hit = cache.get(database, "token", secret_digest, now)
    if hit is not None:
        return hit.principal
    row = repository.get_token_by_digest(session, secret_digest)
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    user = repository.get_user(session, row.user_id)
    if user is None or not user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH_INTERVAL:
        row.last_used_at = now
        session.flush()
    principal = principal_for(session, user, "token")
    cache.put(database, "token", secret_digest, principal, expires_at=row.expires_at)
    return principal


def create_token(session: Session, data: TokenCreate, *, actor: Principal,
                 now: dt.datetime) -> tuple[ApiToken, str]:
    """Issue an API token; returns the row and the secret, which is never stored in clear."""
    owner = data.user_id or actor.user_id
    if owner != actor.user_id and actor.role != "admin":
        raise Forbidden("only an admin may issue tokens for another user")
    get_user(session, owner)
    secret = new_token()
    expires = now + dt.timedelta(days=data.expires_in_days) if data.expires_in_days else None
    row = ApiToken(user_id=owner, name=data.name, prefix=secret[:12], secret_hash=digest(secret),
                   created_at=now, expires_at=expires)
    session.add(row)
    session.flush()
    record(session, actor, "token.create", "api_token", row.id, None, snapshot(row), at=now)
    return row, secret


def list_tokens(session: Session, *, actor: Principal, all_users: bool = False) -> list[ApiToken]:
    """The caller's tokens (admins may ask for everyone's)."""
    if all_users and actor.role != "admin":
        raise Forbidden("only an admin may list every user's tokens")
    return repository.list_tokens(session, None if all_users else actor.user_id)


def revoke_token(session: Session, token_id: int, *, actor: Principal, now: dt.datetime) -> ApiToken:
    """Revoke a token of the caller (admins: any token); revoking twice keeps the first time."""
    row = repository.get_token(session, token_id)
    if row is None or (row.user_id != actor.user_id and actor.role != "admin"):
        raise NotFound(f"no token with id {token_id}")
    if row.revoked_at is None:
        before = snapshot(row)
        row.revoked_at = now
        cache.forget_at_commit(session, secret_digest=row.secret_hash)
        session.flush()
        record(session, actor, "token.revoke", "api_token", row.id, before, snapshot(row), at=now)
    return row
