"""``equipoise worker``: the background jobs — reminders, surveys, recovery, deflection, email, webhooks.

Each job runs in its own short unit of work with the clock read once for it, so a slow mail
server or webhook receiver never holds locks for the other jobs, and one failing job does not
undo or block the others. The order makes one pass complete: reminders and complaint re-surveys
are queued before the outbox is sent, and the webhook deliveries go last.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import typer
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from equipoise.config import Settings
from equipoise.core.audit.service import local_now
from equipoise.core.complaints import service as complaints
from equipoise.core.knowledge.deflection import evaluate_deflections
from equipoise.core.outreach import service as outreach
from equipoise.core.outreach.sender import Sender, SmtpSender, smtp_config_from_settings
from equipoise.core.surveys.signing import signing_secret
from equipoise.core.webhooks.service import deliver_webhooks
from equipoise.db.engine import make_engine, session_scope
from equipoise.interfaces.cli._common import DatabaseUrl, JsonFlag, console, emit_json, fail
from equipoise.kit.errors import AppError

app = typer.Typer(help="Background jobs: reminders, surveys, email outbox, webhooks.", no_args_is_help=True)

Clock = Callable[[], dt.datetime]
JOBS = ("reminders", "resurveys", "churned_complaints", "deflections", "outbox", "webhooks")


@dataclass(frozen=True)
class JobResult:
    """One job of a pass: what it did (counts), or why it did not run."""

    job: str
    at: dt.datetime
    ok: bool
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    #: Why a job did nothing although it did not fail (e.g. email is not configured).
    note: str | None = None


@dataclass(frozen=True)
class WorkerRun:
    """One pass over every job."""

    jobs: tuple[JobResult, ...]

    @property
    def ok(self) -> bool:
        return all(job.ok for job in self.jobs)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "jobs": [{**asdict(j), "at": j.at.isoformat()} for j in self.jobs]}


class _Skipped(Exception):
    """A job that cannot run in this configuration; the pass is still a success."""


def _job_steps(settings: Settings, sender: Sender | None, http_client: httpx.Client
               ) -> dict[str, Callable[[Session, dt.datetime], dict[str, int]]]:
    def resurveys(s: Session, now: dt.datetime) -> dict[str, int]:
        return {"issued": complaints.send_due_resurveys(s, now, signing_secret(settings), base_url=settings.base_url)}

    def outbox(s: Session, now: dt.datetime) -> dict[str, int]:
        if sender is None:
            raise _Skipped(f"email is not configured (set EQUIPOISE_SMTP_HOST); "
                           f"{outreach.outbox_counts(s)['pending']} messages wait")
        return asdict(outreach.process_outbox(s, now, sender))

    return {
        "reminders": lambda s, now: {"queued": outreach.enqueue_due_reminders(s, now)},
        "resurveys": resurveys,
        "churned_complaints": lambda s, now: {"marked": complaints.mark_churned_unrecovered(s, now)},
        "deflections": lambda s, now: {"decided": evaluate_deflections(s, now)},
        "outbox": outbox,
        "webhooks": lambda s, now: asdict(deliver_webhooks(s, now, http_client, tz=settings.timezone)),
    }


def run_once(engine: Engine, settings: Settings, clock: Clock, *, sender: Sender | None,
             http_client: httpx.Client, on_job: Callable[[JobResult], None] | None = None) -> WorkerRun:
    """Run every job once, each in its own transaction at the time ``clock`` gives when it starts.

    ``sender`` None means email is not configured: the outbox job reports that and the rest run.
    """
    results = []
    for name, step in _job_steps(settings, sender, http_client).items():
        now = clock()
        started = time.perf_counter()
        try:
            with session_scope(engine) as session:
                counts = step(session, now)
            result = JobResult(name, now, True, counts, seconds=time.perf_counter() - started)
        except _Skipped as exc:
            result = JobResult(name, now, True, note=str(exc), seconds=time.perf_counter() - started)
        except AppError as exc:
            result = JobResult(name, now, False, error=exc.message, seconds=time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 - one broken job must not stop the others
            result = JobResult(name, now, False, error=f"{type(exc).__name__}: {exc}",
                               seconds=time.perf_counter() - started)
        results.append(result)
        if on_job is not None:
            on_job(result)
    return WorkerRun(tuple(results))


def _clock(settings: Settings, at: dt.datetime | None) -> Clock:
    if at is not None:
        return lambda: at
    return lambda: local_now(settings.timezone)


def _sender(settings: Settings) -> Sender | None:
    return SmtpSender(smtp_config_from_settings(settings)) if settings.smtp_host else None


def _settings(database_url: str | None) -> Settings:
    settings = Settings()  # read now, so the environment of this command is what counts
    return settings.model_copy(update={"database_url": database_url}) if database_url else settings


def _pass(engine: Engine, settings: Settings, clock: Clock, http_client: httpx.Client, quiet: bool) -> WorkerRun:
    if quiet:
        return run_once(engine, settings, clock, sender=_sender(settings), http_client=http_client)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("background jobs", total=len(JOBS))
        return run_once(engine, settings, clock, sender=_sender(settings), http_client=http_client,
                        on_job=lambda _r: progress.advance(task))


def _show(run: WorkerRun) -> None:
    table = Table(title="worker pass")
    for column in ("job", "at", "result", "seconds"):
        table.add_column(column)
    for job in run.jobs:
        outcome = (", ".join(f"{k} {v}" for k, v in job.counts.items()) or job.note or "-") if job.ok \
            else f"[red]{job.error}[/]"
        table.add_row(job.job, job.at.isoformat(sep=" "), outcome, f"{job.seconds:.2f}")
    console.print(table)


AtOption = typer.Option(None, "--at", formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
                        help="Run as if it were this local time (replays, tests); default: now.")


@app.command("run-once")
def run_once_cmd(database_url: str | None = DatabaseUrl, at: dt.datetime | None = AtOption,
                 json_out: bool = JsonFlag) -> None:
    """Run every background job once; exit code 1 when a job failed."""
    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    try:
        with httpx.Client(timeout=10.0) as client:
            run = _pass(engine, settings, _clock(settings, at), client, quiet=json_out)
    except AppError as exc:  # e.g. an SMTP configuration that cannot work
        fail(exc)
    finally:
        engine.dispose()
    if json_out:
        emit_json(run.as_json())
    else:
        _show(run)
    if not run.ok:
        raise typer.Exit(1)


@app.command("run")
def run_cmd(interval_seconds: float = typer.Option(60.0, "--interval-seconds", min=1.0,
                                                   help="Pause between passes."),
            max_runs: int | None = typer.Option(None, "--max-runs", min=1, help="Stop after this many passes."),
            database_url: str | None = DatabaseUrl, json_out: bool = JsonFlag) -> None:
    """Run the background jobs every ``--interval-seconds`` until stopped (Ctrl-C)."""
    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    runs = 0
    try:
        with httpx.Client(timeout=10.0) as client:
            while max_runs is None or runs < max_runs:
                started = time.monotonic()
                run = run_once(engine, settings, _clock(settings, None), sender=_sender(settings),
                               http_client=client)
                runs += 1
                if json_out:
                    emit_json(run.as_json())
                else:
                    _show(run)
                if max_runs is not None and runs >= max_runs:
                    break
                time.sleep(max(0.0, interval_seconds - (time.monotonic() - started)))
    except KeyboardInterrupt:
        console.print(f"stopped after {runs} passes")
    except AppError as exc:
        fail(exc)
    finally:
        engine.dispose()
