"""The import layers of docs/architecture.md hold, and the check that says so can fail."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("cli", "forge", "hooks", "publication")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the project's contracts over the ``pipeline`` package in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}  # before the editable install's finder
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(REPO_ROOT / "pyproject.toml")],
        cwd=tree, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def test_the_import_layers_hold() -> None:
    done = _lint_imports(REPO_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


def test_an_earlier_stage_importing_a_later_one_fails_the_check(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "pipeline", tmp_path / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    with (tmp_path / "pipeline" / "draft" / "model.py").open("a") as module:
        module.write("\nimport pipeline.record.model  # a deliberate violation\n")
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    assert "pipeline.draft is not allowed to import pipeline.record" in done.stdout


def test_a_forge_importing_a_stage_after_the_merge_fails_the_check(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "pipeline", tmp_path / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    with (tmp_path / "pipeline" / "forge" / "base.py").open("a") as module:
        module.write("\nimport pipeline.evidence.live  # a deliberate violation\n")
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    assert "pipeline.forge is not allowed to import pipeline.evidence" in done.stdout


def _own_imports_in_functions(path: Path) -> list[str]:
    """``path:line`` of every import of a ``pipeline`` module inside a function body."""
    found = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            names = []
            if isinstance(inner, ast.ImportFrom):
                names = [inner.module or ""] if not inner.level else ["pipeline"]
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            own = any(n == "pipeline" or n.startswith("pipeline.") for n in names)
            # A measured start-up cost may justify one: it says so above its imports.
            if own and "start-up" not in _comment_above(lines, inner.lineno - 1):
                found.append(f"{path.relative_to(REPO_ROOT)}:{inner.lineno}")
    return found


def _comment_above(lines: list[str], index: int) -> str:
    """The line above the block of import statements that holds line ``index``."""
    above = index - 1
    while above >= 0:
        text = lines[above].strip()
        if not (text.startswith(("from ", "import ", ")")) or text.endswith(",")):
            return text
        above -= 1
    return ""


def test_entry_points_and_forges_import_the_project_at_the_top() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / "pipeline" / package).rglob("*.py")):
            found += _own_imports_in_functions(path)
    assert found == []
