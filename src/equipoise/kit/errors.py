"""Expected failures carry a status code and a message meant for the user."""

from __future__ import annotations


class AppError(Exception):
    """Base of every expected failure; interfaces turn it into a response or a CLI message."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class InvalidInput(AppError):
    status_code = 422


class ConfigurationError(AppError):
    """The installation lacks a setting the request needs (e.g. no mail server): 503, not a crash."""

    status_code = 503
