"""Path and query parameters shared by the API routers, bounded so the database never sees an
out-of-range number (a 422 names the parameter instead)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from equipoise.kit.ids import MAX_ID

#: A row id in the path.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
#: An optional row id filter in the query string.
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
#: Rows to skip in a list.
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
