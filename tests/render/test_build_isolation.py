"""Nothing from the built tree runs in the build (issue 10, section 3).

Each attack puts code in the tree being built that, if it ran, would write a marker file
outside it. The build is driven both ways it runs for real: ``build_site(publish=True)`` (what the
server's publication runs, in a worker process) and the ``terbit`` command (what the GitHub
publish workflow runs, in a fork).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.render.runner import build_site
from pipeline.vcs import Repo

TERBIT = Path(sys.executable).with_name("terbit")


def by_command(site: Path) -> None:
    done = subprocess.run(
        [str(TERBIT), "build", "--publish"], cwd=site, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def by_worker(site: Path) -> None:
    build_site(site, publish=True)


BUILDS = [pytest.param(by_worker, id="worker"), pytest.param(by_command, id="command")]


def hostile(marker: Path) -> str:
    """Python source that leaves ``marker`` behind when it runs."""
    return f"from pathlib import Path\nPath({str(marker)!r}).write_text('dijalankan')\n"


@pytest.mark.parametrize("build", BUILDS)
def test_a_root_level_module_shadowing_a_library_is_never_imported(
    site: Path, tmp_path: Path, build: Callable[[Path], None]
) -> None:
    marker = tmp_path / "markdown-ran"
    for name in ("markdown", "jinja2", "feedgenerator", "nh3", "yaml", "bs4"):
        (site / f"{name}.py").write_text(hostile(marker), encoding="utf-8")
    build(site)
    assert not marker.exists()
    assert (site / "output" / "index.html").is_file()


@pytest.mark.parametrize("build", BUILDS)
def test_a_pelicanconf_package_never_shadows_the_settings_file(
    site: Path, tmp_path: Path, build: Callable[[Path], None]
) -> None:
    marker = tmp_path / "package-ran"
    package = site / "pelicanconf"
    package.mkdir()
    (package / "__init__.py").write_text(
        hostile(marker) + "SITENAME = 'Situs Palsu'\nPATH = 'content'\n", encoding="utf-8"
    )
    build(site)
    assert not marker.exists()
    home = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert "Situs Palsu" not in home and "Kekarantinaan Kesehatan" in home


@pytest.mark.parametrize("build", BUILDS)
def test_a_root_symlink_named_pipeline_never_replaces_the_installed_package(
    site: Path, tmp_path: Path, build: Callable[[Path], None]
) -> None:
    marker = tmp_path / "pipeline-ran"
    fake = tmp_path / "palsu" / "pipeline"
    for package in (fake, fake / "build", fake / "build" / "plugins", fake / "config"):
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(hostile(marker), encoding="utf-8")
    for module in ("build/worker.py", "build/plugins/reader.py", "config/settings.py"):
        (fake / module).write_text(hostile(marker), encoding="utf-8")
    (site / "pipeline").symlink_to(fake, target_is_directory=True)
    build(site)
    assert not marker.exists()
    assert (site / "output" / "index.html").is_file()


class Payload:
    """Unpickling this runs ``Path(marker).write_text``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.write_text, (self.marker, "dibongkar"))


@pytest.mark.parametrize("build", BUILDS)
def test_a_committed_build_cache_is_never_unpickled(
    site: Path, tmp_path: Path, build: Callable[[Path], None]
) -> None:
    marker = tmp_path / "pickle-ran"
    for mode in ("site", "publish"):
        folder = site / ".terbit" / "cache" / mode
        (folder / "pelican").mkdir(parents=True)
        for name in ("state.pickle", "pelican/TerbitArticlesGenerator-Readers"):
            (folder / name).write_bytes(pickle.dumps(Payload(marker)))
    build(site)
    assert not marker.exists()
    assert (site / "output" / "index.html").is_file()


def test_the_export_ignores_the_trees_attributes(make_repo: Callable[..., Path]) -> None:
    work = make_repo("kerja")
    page = work / "content" / "pages" / "profil.md"
    page.parent.mkdir(parents=True)
    page.write_text("---\ntitle: Profil\n---\nVersi $Format:%H$ tetap.\n", encoding="utf-8")
    (work / "content" / "berita.md").write_text("isi\n", encoding="utf-8")
    (work / ".gitattributes").write_text(
        "content/pages/profil.md export-ignore export-subst\ncontent/* export-subst\n",
        encoding="utf-8",
    )
    Repo(work).run("add", "--all")
    Repo(work).run("commit", "--quiet", "-m", "Halaman")
    dest = work.parent / "ekspor"
    Repo(work).export_tree("HEAD", dest)
    assert (dest / "content" / "pages" / "profil.md").read_bytes() == page.read_bytes()
    assert (dest / "content" / "berita.md").read_text(encoding="utf-8") == "isi\n"


def test_the_export_keeps_odd_entries_without_failing(make_repo: Callable[..., Path]) -> None:
    """An absolute symlink, a newline or bytes that are not UTF-8 in a name: exported as they
    are (the build refuses them, located), never an internal error of the export itself."""
    work = make_repo("kerja")
    content = work / "content" / "images"
    content.mkdir(parents=True)
    (content / "sandi.png").symlink_to("/etc/passwd")
    (content / "baris\nbaru.png").write_bytes(b"png")
    with open(os.fsencode(content) + b"/b\xffd.png", "wb") as handle:
        handle.write(b"png")
    Repo(work).run("add", "--all")
    Repo(work).run("commit", "--quiet", "-m", "Aneh")
    dest = work.parent / "ekspor"
    Repo(work).export_tree("HEAD", dest)
    exported = dest / "content" / "images"
    assert not os.path.lexists(exported / "sandi.png")  # links are never written
    assert (exported / "baris\nbaru.png").read_bytes() == b"png"
    with open(os.fsencode(exported) + b"/b\xffd.png", "rb") as handle:
        assert handle.read() == b"png"


def _link_tree(repo: Repo, outside: Path) -> str:
    """A crafted commit naming ``content/a`` twice: a link to ``outside`` and a folder holding
    the link ``x`` (git itself never writes this; a hostile client can push it)."""
    link = repo.run("hash-object", "-w", "--stdin", input="zzz")
    away = repo.run("hash-object", "-w", "--stdin", input=str(outside))
    sub = repo.run("mktree", input=f"120000 blob {link}\tx\n")
    content = repo.run("mktree", input=f"120000 blob {away}\ta\n040000 tree {sub}\ta\n")
    root = repo.run("mktree", input=f"040000 tree {content}\tcontent\n")
    return repo.run("commit-tree", root, "-m", "Selundupan")


def test_the_export_never_writes_through_a_link(make_repo: Callable[..., Path]) -> None:
    work = make_repo("kerja")
    outside = work.parent / "luar"
    outside.mkdir()
    commit = _link_tree(Repo(work), outside)
    dest = work.parent / "ekspor"
    Repo(work).export_tree(commit, dest)
    assert list(outside.iterdir()) == []
    assert not os.path.lexists(dest / "content" / "a")
