"""The engine is a pure library: no project imports outside it, no database, no web."""

from __future__ import annotations

import ast
from pathlib import Path

import equipoise

ENGINE = Path(equipoise.__file__).parent / "engine"
FORBIDDEN_ROOTS = {"sqlalchemy", "fastapi", "ibis", "alembic", "starlette", "uvicorn"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_engine_imports_nothing_from_the_rest_of_the_project() -> None:
    modules = sorted(ENGINE.rglob("*.py"))
    assert modules, f"no engine modules found under {ENGINE}"
    offences = []
    for path in modules:
        for name in _imports(path):
            root = name.split(".")[0]
            inside_engine = name == "equipoise.engine" or name.startswith("equipoise.engine.")
            if (root == "equipoise" and not inside_engine) or root in FORBIDDEN_ROOTS:
                offences.append(f"{path.relative_to(ENGINE.parent)} imports {name}")
    assert not offences, "engine must stay pure:\n" + "\n".join(offences)


def test_the_check_catches_an_offending_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom equipoise.db import engine\n", encoding="utf-8")
    assert _imports(bad) == ["sqlalchemy", "equipoise.db"]
