"""Row ids are 64-bit signed integers on every backend: bigger numbers are a 422, not a database error."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

#: The largest id a BIGINT (PostgreSQL) or INTEGER (SQLite) column holds.
MAX_ID = 2**63 - 1

#: A reference to a row, in a request body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
