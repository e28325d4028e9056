"""The fast build's seam: Pelican's, Jinja's and blinker's internals are touched in
``pipeline/render/fastpath.py`` only, and on versions it was not written for the build runs
stock Pelican, with the same pages, and says so once."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.render.runner import build_site
from tests.support.tree import tree

RENDER = Path(__file__).resolve().parents[2] / "pipeline" / "render"
LIBRARIES = ("pelican", "jinja2", "blinker")
# Pelican's content body: the sanitiser must change it before anything reads it, and Pelican
# has no public setter for it (plugins/sanitizing.py).
ALLOWED = {"_content"}
# The version check forced to "unsupported" in the command's own process (the build is a fork
# of it): the fast path claims a Pelican that does not exist.
UNSUPPORTED = (
    "import sys; from pipeline.render import fastpath; "
    "fastpath.SUPPORTED['pelican'] = ('0.0.',); "
    "from pipeline.cli import main; sys.argv[0] = 'terbit'; main()"
)


def terbit_unsupported(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERBIT_LANG": "id"}
    return subprocess.run(
        [sys.executable, "-c", UNSUPPORTED, *args],
        cwd=site,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_an_unsupported_pelican_builds_the_same_site_with_stock_pelican_and_says_so_once(
    site: Path,
) -> None:
    fast = build_site(site, full=True, output=site / "cepat")
    assert not fast.notes and fast.rendered > 0
    done = terbit_unsupported(site, "build")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    said = [line for line in done.stderr.splitlines() if "Pelican biasa" in line]
    assert len(said) == 1, done.stderr
    assert "pelican 0.0" in said[0] and "pelican 4.12" in said[0]  # written for, installed
    assert tree(site / "output") == tree(site / "cepat")
    # Again, after an edit: every page rendered by Pelican, still the fast build's site.
    draft = sorted((site / "content" / "articles").glob("*.md"))[0]
    draft.write_text(draft.read_text(encoding="utf-8") + "\nParagraf baru.\n", encoding="utf-8")
    again = terbit_unsupported(site, "build")
    assert again.returncode == 0 and " 0 dipakai ulang" in again.stdout, again.stdout
    build_site(site, full=True, output=site / "cepat")
    assert tree(site / "output") == tree(site / "cepat")


def test_a_located_error_is_still_located_on_stock_pelican(site: Path) -> None:
    draft = sorted((site / "content" / "articles").glob("*.md"))[2]
    lines = draft.read_text(encoding="utf-8").splitlines()
    lines[2] = "date: 2026-02-31 10:00"  # an impossible date, on line 3
    draft.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = terbit_unsupported(site, "build")
    assert done.returncode == 1, done.stderr
    assert f"content/articles/{draft.name}:3" in done.stderr
    assert "Traceback" not in done.stderr and not (site / "output").exists()


def _defined(tree: ast.AST) -> set[str]:
    """Private names a module defines: functions, classes, attributes and names it assigns."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def _library_privates() -> set[str]:
    names: set[str] = set()
    for library in LIBRARIES:
        spec = importlib.util.find_spec(library)
        assert spec is not None and spec.origin is not None
        for file in Path(spec.origin).parent.rglob("*.py"):
            if "tests" not in file.parts:
                names |= _defined(ast.parse(file.read_text(encoding="utf-8")))
    return names


def _touches(path: Path, privates: set[str]) -> list[str]:
    """``path:line: name`` for each use of a library's private name the module does not
    define itself (an attribute, a name in a string, or an import from the library)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    foreign = privates - _defined(tree) - ALLOWED
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in foreign:
            found.append(f"{path.name}:{node.lineno}: {node.attr}")
        elif isinstance(node, ast.Constant) and node.value in foreign:
            found.append(f"{path.name}:{node.lineno}: {node.value!r}")  # getattr, vars()[...]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(LIBRARIES):
            found += [
                f"{path.name}:{node.lineno}: {a.name}" for a in node.names if a.name[0] == "_"
            ]
    return found


def test_only_fastpath_touches_the_libraries_private_names() -> None:
    privates = _library_privates()
    assert {"_written_files", "_get_file_stamp", "_PassArg"} <= privates
    found = [
        touch
        for path in sorted(RENDER.rglob("*.py"))
        if path.name != "fastpath.py"
        for touch in _touches(path, privates)
    ]
    assert found == []
    assert _touches(RENDER / "fastpath.py", privates)  # the check can see one


@pytest.mark.parametrize("version", ["4.12.0", "4.12.3"])
def test_the_versions_written_for_are_supported(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.render import fastpath

    monkeypatch.setattr(fastpath, "installed", lambda: {"pelican": version, "jinja2": "3.1.6"})
    assert fastpath.unsupported() == {}
    monkeypatch.setattr(fastpath, "installed", lambda: {"pelican": "4.13.0", "jinja2": "3.1.6"})
    assert fastpath.unsupported() == {"pelican": "4.13.0"}


@pytest.mark.parametrize(
    "text",
    [
        "Ringkasan tanpa tag, dengan {filename} dan | garis.",
        '<p>Lihat <a href="{filename}/articles/b.md">berita lain</a>.</p>',
        "<p>Tanpa tautan.</p>",
        "",
    ],
)
def test_untagged_text_is_what_pelicans_link_rewriting_gives(text: str) -> None:
    """``fastpath.untagged_text_unchanged``: Pelican's intrasite links are found only inside a
    tag; a text without one is returned as it is, any other rewritten by Pelican itself."""
    from pelican.contents import Article, Content
    from pelican.settings import DEFAULT_CONFIG

    from pipeline.render import fastpath

    settings = dict(DEFAULT_CONFIG)
    other = Article("<p>b</p>", metadata={"title": "B"}, settings=settings,
                    source_path="/situs/content/articles/b.md", context={})  # fmt: skip
    context = {"generated_content": {"articles/b.md": other}, "static_content": {}}
    article = Article("<p>a</p>", metadata={"title": "A"}, settings=settings,
                      source_path="/situs/content/articles/a.md", context=context)  # fmt: skip
    original = Content.__dict__["_update_content"]
    expected = original(article, text, "")
    try:
        fastpath.untagged_text_unchanged()
        assert article._update_content(text, "") == expected
    finally:
        Content._update_content = original  # type: ignore[method-assign]
    if "<a" in text:
        assert "{filename}" not in expected  # the case Pelican rewrites is there
