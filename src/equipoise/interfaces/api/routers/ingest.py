"""POST /api/imports/{kind}: upload a file (and optionally a YAML mapping) and import it.

GET /api/imports/{import_id}/rejects returns the rejected rows of an import as CSV.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml
from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine

from equipoise.ingest.mapping import FileRefused
from equipoise.ingest.runner import iter_rejects
from equipoise.ingest.service import importer_for, run_import
from equipoise.interfaces.api.deps import engine as get_engine
from equipoise.interfaces.api.params import PathId

router = APIRouter(tags=["imports"])
#: Rejected rows returned inline with the summary (all of them: GET .../rejects).
INLINE_REJECTS = 100


def _mapping(upload: UploadFile | None) -> dict | None:
    if upload is None:
        return None
    try:
        data = yaml.safe_load(upload.file.read().decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FileRefused(f"mapping: cannot read {upload.filename}: {exc}", field="mapping") from None
    if data is not None and not isinstance(data, dict):
        raise FileRefused("mapping: expected a YAML mapping of keys at the top level", field="mapping")
    return data or {}


@router.post("/imports/{kind}")
def upload_import(kind: str, file: UploadFile = File(...), mapping: UploadFile | None = File(None),
                  engine: Engine = Depends(get_engine)) -> dict:
    """Import an uploaded file as ``kind``; malformed files are refused (422) with nothing written."""
    importer_for(kind)  # unknown kinds fail before the upload is stored
    suffix = Path(file.filename or "upload.csv").suffix or ".csv"
    with tempfile.TemporaryDirectory(prefix="eq_upload_") as folder:
        path = Path(folder) / f"{Path(file.filename or 'upload').stem}{suffix}"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, length=1 << 20)
        summary = run_import(engine, kind, path, _mapping(mapping), rejects_path=Path(folder) / "rejects.csv")
    payload = summary.to_dict()
    payload["file"] = file.filename
    payload["rejects_file"] = None
    payload["rejects"] = [dict(zip(("row", "field", "value", "reason"), r, strict=True))
                          for r in iter_rejects(engine, summary.import_id, INLINE_REJECTS)]
    return payload


@router.get("/imports/{import_id}/rejects")
def get_rejects(import_id: PathId, engine: Engine = Depends(get_engine)) -> StreamingResponse:
    """Every rejected row of an import as CSV: row, field, value, reason."""

    def lines() -> Iterator[str]:
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(["row", "field", "value", "reason"])
        for row in iter_rejects(engine, import_id):
            out.writerow(row)
            if buf.tell() > 1 << 16:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return StreamingResponse(lines(), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="import-{import_id}-rejects.csv"'})
