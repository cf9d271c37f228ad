"""Settings, read from the environment with the ``EQUIPOISE_`` prefix (or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "equipoise.sqlite3"


class Settings(BaseSettings):
    """Process-wide configuration. Every field can be set as ``EQUIPOISE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="EQUIPOISE_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    #: The company's local time zone; all stored timestamps are naive local times in this zone.
    timezone: str = "Europe/London"
    #: Currency of every money column (costs, margins, budgets).
    currency: str = "USD"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Folder holding npm-installed front-end assets (htmx); defaults to ./node_modules.
    assets_dir: Path = Path("node_modules")
    #: Echo SQL statements (debugging).
    sql_echo: bool = False
    #: Connections kept open per process on a server database (PostgreSQL). With
    #: ``db_max_overflow`` it should cover the request threads (40 in the ASGI server's default
    #: thread pool) so no request waits for a connection; mind the server's max_connections
    #: when running several processes.
    db_pool_size: int = Field(default=20, ge=1, le=1000)
    #: Extra connections opened beyond ``db_pool_size`` under bursts (closed when returned).
    db_max_overflow: int = Field(default=20, ge=0, le=1000)
    #: Seconds a request waits for a free connection before failing.
    db_pool_timeout_seconds: float = Field(default=30.0, gt=0)
    #: API calls (cases, users, sign-in) waiting for a request thread beyond which a new one is
    #: answered 503 with Retry-After at once instead of queueing for seconds; unset: no limit.
    api_max_waiting: int | None = Field(default=64, ge=0)
    #: Failed password sign-ins allowed per account within ``login_failure_window_seconds``; the
    #: next attempt is refused with 429 and Retry-After (a success resets the account's count).
    login_max_failures: int = Field(default=5, ge=1, le=1000)
    #: The same per client address (higher: offices share one address behind NAT).
    login_max_failures_per_address: int = Field(default=20, ge=1, le=100_000)
    login_failure_window_seconds: int = Field(default=900, ge=1, le=7 * 86400)
    #: The address customers reach the app at, used in emailed links (default: http://<host>:<port>).
    public_url: str | None = None
    #: Server secret for signed links (survey tokens); at least 16 bytes where links are made.
    secret_key: SecretStr | None = None
    #: Outgoing mail server; email is not sent until it is set.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    #: The From address of outgoing email (``EQUIPOISE_SMTP_FROM``).
    smtp_from: str = "service@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    #: Upgrade the connection with STARTTLS (usually port 587).
    smtp_starttls: bool = False
    #: Implicit TLS from the first byte (usually port 465); not together with STARTTLS.
    smtp_ssl: bool = False
    #: Knowledge search when a request names no mode: ``auto`` is hybrid (BM25 + meaning) with the
    #: ``[semantic]`` extra and BM25 without it; ``bm25``, ``semantic`` or ``hybrid`` fix it.
    kb_search_mode: Literal["auto", "bm25", "semantic", "hybrid"] = "auto"
    #: Use the ``[semantic]`` extra when installed; false makes the app behave as if it were not.
    kb_semantic: bool = True

    @property
    def base_url(self) -> str:
        """The public address of the app, for links sent to customers."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/") + "/"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests build their own ``Settings``)."""
    return Settings()
