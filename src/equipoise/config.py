"""Settings, read from the environment with the ``EQUIPOISE_`` prefix (or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests build their own ``Settings``)."""
    return Settings()
