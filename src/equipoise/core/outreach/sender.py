"""Sending email: the ``Sender`` protocol, an SMTP implementation, and its configuration."""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

from pydantic import ValidationError

from equipoise.config import Settings
from equipoise.kit.errors import ConfigurationError


class SendError(Exception):
    """A message could not be handed to the mail server; ``permanent`` means retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingEmail:
    recipient: str
    subject: str
    body: str
    message_key: str
    created_at: dt.datetime | None = None


class Sender(Protocol):
    def send(self, email: OutgoingEmail) -> None:
        """Deliver ``email`` or raise SendError."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    sender: str = "service@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    use_ssl: bool = False
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("host: expected a mail server host name")
        if not 0 < self.port < 65536:
            raise ValueError(f"port: expected 1..65535, got {self.port}")
        if self.starttls and self.use_ssl:
            raise ValueError("starttls/use_ssl: choose one of them, not both")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds: expected a positive number")


def smtp_config_from_settings(settings: Settings) -> SmtpConfig:
    """SMTP settings from ``Settings`` (``EQUIPOISE_SMTP_HOST/PORT/FROM/USERNAME/PASSWORD/STARTTLS/SSL``)."""
    if not settings.smtp_host:
        raise ConfigurationError("email is not configured: set EQUIPOISE_SMTP_HOST")
    try:
        return SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
            use_ssl=settings.smtp_ssl,
        )
    except ValueError as exc:
        raise ConfigurationError(f"EQUIPOISE_SMTP_*: {exc}") from exc


def smtp_config_from_env(environ: dict[str, str] | None = None) -> SmtpConfig:
    """SMTP settings read now from the environment, or from ``environ`` (its ``EQUIPOISE_SMTP_*`` keys)."""
    if environ is None:
        return smtp_config_from_settings(Settings())
    values = {key.removeprefix("EQUIPOISE_").lower(): value for key, value in environ.items()
              if key.startswith("EQUIPOISE_SMTP_")}
    try:
        settings = Settings(_env_file=None, **values)
    except ValidationError as exc:
        raise ConfigurationError(f"EQUIPOISE_SMTP_*: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from exc
    return smtp_config_from_settings(settings)


class SmtpSender:
    """Send each message over a fresh SMTP connection (plain, STARTTLS or implicit TLS)."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def _message(self, email: OutgoingEmail) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.config.sender
        msg["To"] = email.recipient
        msg["Subject"] = email.subject
        msg["Message-ID"] = make_msgid(idstring=email.message_key.replace(":", "-"))
        msg["X-Equipoise-Key"] = email.message_key
        if email.created_at is not None:
            msg["Date"] = format_datetime(email.created_at)
        msg.set_content(email.body)
        return msg

    def send(self, email: OutgoingEmail) -> None:
        """Deliver ``email``; 5xx refusals are permanent, network errors and 4xx are retryable."""
        cfg = self.config
        try:
            if cfg.use_ssl:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=cfg.timeout_seconds, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds)
            with client:
                if cfg.starttls:
                    client.starttls(context=ssl.create_default_context())
                if cfg.username:
                    client.login(cfg.username, cfg.password or "")
                client.send_message(self._message(email))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise SendError(f"recipient refused: {codes}", permanent=all(c >= 500 for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"SMTP connection failed: {exc}") from exc
