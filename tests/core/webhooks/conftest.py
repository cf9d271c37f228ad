"""Fixtures: a real database session and a minimal company."""

from tests.core.complaints.factories import db, world  # noqa: F401
