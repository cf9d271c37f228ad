"""``equipoise user``: create users (the first admin too), list them, issue API tokens."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from equipoise.config import get_settings
from equipoise.core.audit.service import local_now
from equipoise.core.auth import service
from equipoise.core.auth.schemas import ROLES, Principal, TokenCreate, UserCreate
from equipoise.db.engine import make_engine, session_scope
from equipoise.interfaces.cli._common import DatabaseUrl, JsonFlag, console, emit_json, fail, resolve_url
from equipoise.kit.errors import AppError

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


@app.command("create")
def create_cmd(
    email: str = typer.Option(..., "--email", help="Sign-in e-mail address."),
    name: str = typer.Option(..., "--name", help="Display name."),
    admin: bool = typer.Option(False, "--admin", help="Create an administrator (same as --role admin)."),
    role: str = typer.Option("agent", "--role", help=f"One of {', '.join(ROLES)}."),
    team: list[int] = typer.Option([], "--team", help="Team (org unit) id; repeat for several."),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True, confirmation_prompt=True,
                                 envvar="EQUIPOISE_NEW_USER_PASSWORD",
                                 help="At least 12 characters (prompted when omitted)."),
    database_url: str | None = DatabaseUrl,
    json_out: bool = JsonFlag,
) -> None:
    """Create a user; ``--admin`` makes the first administrator."""
    try:
        data = UserCreate(email=email, name=name, role="admin" if admin else role, password=password,
                          team_ids=team)
    except ValidationError as exc:
        fail(_validation_message(exc))
    engine = make_engine(resolve_url(database_url))
    try:
        with session_scope(engine) as session:
            user = service.create_user(session, data, actor=None, now=local_now(get_settings().timezone))
            read = service.to_read(session, user)
    except AppError as exc:
        fail(exc)
    finally:
        engine.dispose()
    if json_out:
        emit_json(read.model_dump(mode="json"))
    else:
        console.print(f"created {read.role} [bold]{read.email}[/] (id {read.id})")


@app.command("list")
def list_cmd(database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag) -> None:
    """List users with their roles and teams."""
    engine = make_engine(resolve_url(database_url))
    try:
        with session_scope(engine) as session:
            users = service.list_users(session, limit=10_000)
    finally:
        engine.dispose()
    if json_out:
        emit_json([u.model_dump(mode="json") for u in users])
        return
    for u in users:
        state = "" if u.is_active else " (inactive)"
        console.print(f"{u.id:>5}  {u.role:<8} {u.email}  teams={u.team_ids}{state}")


@app.command("token")
def token_cmd(
    email: str = typer.Option(..., "--email", help="The user the token acts as."),
    name: str = typer.Option(..., "--name", help="What the token is for."),
    days: int | None = typer.Option(None, "--days", min=1, max=3650, help="Expire after this many days."),
    database_url: str | None = DatabaseUrl,
    json_out: bool = JsonFlag,
) -> None:
    """Issue an API token for a user; the secret is printed once."""
    engine = make_engine(resolve_url(database_url))
    try:
        with session_scope(engine) as session:
            user = service.find_user(session, email)
            actor = Principal(user_id=user.id, role=user.role, via="token")
            row, secret = service.create_token(session, TokenCreate(name=name, expires_in_days=days),
                                               actor=actor, now=local_now(get_settings().timezone))
            out = {"id": row.id, "user_id": row.user_id, "name": row.name, "token": secret,
                   "expires_at": row.expires_at}
    except (AppError, ValidationError) as exc:
        fail(exc if isinstance(exc, AppError) else _validation_message(exc))
    finally:
        engine.dispose()
    if json_out:
        emit_json(out)
    else:
        console.print(f"token {out['id']} for {email} (shown once):")
        typer.echo(secret)
