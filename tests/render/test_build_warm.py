"""The warm build process (``render.warm``): the same site as a cold full build, for every kind
of change and across settings and theme changes; a worker that is killed, hangs, is stale or is
not running gives way to a cold build with a message, and the site stays whole.

One real warm worker (an isolated interpreter listening on its Unix socket) serves the module;
the fault tests start their own, since they kill or stop it.
"""

from __future__ import annotations

import ast
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchmarks.sitegen import make_site
from pipeline.render import cache, warm
from pipeline.render.progress import QuietProgress
from pipeline.render.runner import BuildResult, build_site
from tests.render.test_build_incremental import (
    ARTICLES,
    _settings_change,
    _theme_change,
    category_change,
    deleted_article,
    folders,
    full_reference,
    new_newest,
    new_tag,
    static_change,
    title_edit,
)
from tests.support.tree import tree

pytestmark = [pytest.mark.xdist_group("build-warm"), pytest.mark.slow]
START_S = 30  # bound on a worker's start (imports on a loaded machine)
ATTEMPTS = 5  # faults that came after a whole small build, before one lands in it


def started(folder: Path) -> warm.Service:
    service = warm.Service(folder)
    service.check()
    wait_for(lambda: warm.ready(folder), "the warm worker's socket")
    return service


def wait_for(done: Callable[[], bool], what: str, seconds: float = START_S) -> None:
    end = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < end, f"{what}: not within {seconds} s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("server") / "terbit"
    service = started(folder)
    yield folder
    service.stop()


def renamed(site: Path) -> None:
    """A draft's file renamed: its address (from the file name) moves."""
    first = sorted((site / ARTICLES).glob("*.md"))[0]
    first.rename(first.with_name("nama-baru-sekali.md"))


def page_change(site: Path) -> None:
    page = site / "content" / "pages" / "kontak.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nJam layanan 08.00-16.00.\n", "utf-8")


def body_edit(site: Path) -> None:
    first = sorted((site / ARTICLES).glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nParagraf tambahan.\n", "utf-8")


CHANGES = [
    new_newest,
    body_edit,
    title_edit,
    deleted_article,
    renamed,
    category_change,
    new_tag,
    page_change,
    static_change,
    _settings_change,
    _theme_change,
]


def warm_build(site: Path, folder: Path, **options: object) -> BuildResult:
    return build_site(site, cache_base=site.parent / "cache", warm_folder=folder, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.strip("_"))
def test_warm_build_equals_a_cold_full_build(
    worker: Path, tmp_path: Path, change: Callable[[Path], None]
) -> None:
    site = make_site(tmp_path / "situs", 30)
    first = warm_build(site, worker)
    assert first.warm and not first.fallback
    change(site)
    second = warm_build(site, worker)
    assert second.warm and not second.fallback, second.fallback
    assert tree(site / "output") == full_reference(site, tmp_path)
    if change not in (_settings_change, _theme_change):
        assert second.incremental and second.reused > second.rendered, second.notes
        assert second.held  # with the article cache the warm process held (``held``)
        assert second.ahead > 0  # and the own digests it computed of it (``fingerprint``)
    else:  # what shapes every page changed: the warm build read it again, whole
        assert not second.incremental and any("berubah" in n for n in second.notes)


def test_a_cold_build_after_a_warm_one_keeps_its_cache(worker: Path, tmp_path: Path) -> None:
    """The warm process runs the same build code: its cache's key is the cold build's."""
    site = make_site(tmp_path / "situs", 30)
    warm_build(site, worker)
    new_newest(site)
    cold = build_site(site, cache_base=site.parent / "cache")
    assert not cold.warm and cold.incremental, cold.notes
    assert tree(site / "output") == full_reference(site, tmp_path)


def test_the_socket_is_the_servers_own(worker: Path) -> None:
    assert stat.S_IMODE((worker / warm.SOCKET).stat().st_mode) == 0o600


def test_no_worker_means_a_cold_build_with_a_message(tmp_path: Path) -> None:
    site = make_site(tmp_path / "situs", 30)
    (tmp_path / "kosong").mkdir()
    built = warm_build(site, tmp_path / "kosong")
    assert not built.warm and "tidak berjalan" in built.fallback
    assert tree(site / "output") == full_reference(site, tmp_path)


def _builds(service: warm.Service) -> list[int]:
    """The warm worker's children: the builds it forked."""
    assert service.proc is not None
    pid = service.proc.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


class Fault(QuietProgress):
    """Does ``act`` to the warm build as soon as it reports its start; checks the output (the
    live site of ``terbit build``) is still the one from before. Not at its first written
    page: a small build reports its pages just before ``done``, which then arrived first."""

    def __init__(self, act: Callable[[], None], output: Path) -> None:
        self.act, self.output, self.done = act, output, False
        self.before = tree(output)

    def start(self, total_read: int) -> None:
        if not self.done:  # the warm build's start, not the cold build's that follows
            self.done = True
            self.act()
            assert tree(self.output) == self.before


def _prepared(tmp_path: Path) -> Path:
    site = make_site(tmp_path / "situs", 30)
    build_site(site, cache_base=site.parent / "cache")
    body_edit(site)
    new_newest(site)
    return site


def test_a_warm_worker_killed_mid_build_gives_way_to_a_cold_build(tmp_path: Path) -> None:
    site = _prepared(tmp_path)
    folder = tmp_path / "server" / "terbit"
    service = started(folder)
    try:
        for _attempt in range(ATTEMPTS):
            assert service.proc is not None
            zygote = service.proc.pid

            def kill_all(zygote: int = zygote) -> None:
                os.kill(zygote, signal.SIGKILL)
                for pid in _builds(service):
                    os.kill(pid, signal.SIGKILL)

            fault = Fault(kill_all, site / "output")
            built = warm_build(site, folder, progress=fault)
            assert fault.done, "the build was never caught running"
            if not built.warm:
                break
            # The whole small build ran before its start was read (its events arrive
            # together on a loaded machine), so the kill came after it: a new worker, a new
            # edit, again.
            service.proc.wait(START_S)
            service.check()
            wait_for(lambda: warm.ready(folder), "the new worker")
            body_edit(site)
        assert not built.warm and "berhenti" in built.fallback, built.fallback
        assert tree(site / "output") == full_reference(site, tmp_path)
        # Its owner starts a new worker, which builds the next publication, correctly.
        service.proc.wait(START_S)
        service.check()
        wait_for(lambda: warm.ready(folder), "the new worker")
        assert service.proc.pid != zygote
        page_change(site)
        again = warm_build(site, folder)
        assert again.warm and again.incremental, again.fallback
        assert tree(site / "output") == full_reference(site, tmp_path / "lagi")
    finally:
        service.stop()


def test_a_hung_warm_build_is_stopped_and_built_cold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _prepared(tmp_path)
    folder = tmp_path / "server" / "terbit"
    service = started(folder)
    monkeypatch.setenv(warm.TIMEOUT_ENV, "3")
    stopped: list[int] = []
    try:

        def hang() -> None:
            for pid in _builds(service):
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)

        began = time.monotonic()
        built = warm_build(site, folder, progress=Fault(hang, site / "output"))
        assert stopped and not built.warm and "3 detik" in built.fallback, built.fallback
        assert time.monotonic() - began < 60
        assert tree(site / "output") == full_reference(site, tmp_path)
        wait_for(lambda: not Path(f"/proc/{stopped[0]}").exists() or _zombie(stopped[0]),
                 "the hung build killed")  # fmt: skip
    finally:
        service.stop()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_a_stale_worker_stops_and_the_build_is_cold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker started from other code (an upgrade since) is not used, and stops."""
    site = make_site(tmp_path / "situs", 30)
    folder = tmp_path / "server" / "terbit"
    service = started(folder)
    try:
        monkeypatch.setattr(warm, "code_key", lambda: "kode-lain")
        built = warm_build(site, folder)
        assert not built.warm and "dimulai ulang" in built.fallback
        assert service.proc is not None and service.proc.wait(START_S) == 0
        assert tree(site / "output") == full_reference(site, tmp_path)
        assert folders(site / "output")
    finally:
        service.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _compiled(site: Path) -> dict[str, int]:
    """The theme's compiled templates in the build cache, with their modification times."""
    folder = site.parent / "cache" / "site" / cache.JINJA_DIR
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*.cache")}


def test_the_themes_templates_are_compiled_once(worker: Path, tmp_path: Path) -> None:
    """Every build used to compile the theme's templates again (a tenth of a warm build); now
    the compiled templates stay in the cache and a build loads them, until the theme changes."""
    site = make_site(tmp_path / "situs", 30)
    warm_build(site, worker)
    compiled = _compiled(site)
    assert len(compiled) >= 5, compiled  # base, article, index, lists, macros, ...
    new_newest(site)
    assert warm_build(site, worker).incremental
    assert _compiled(site) == compiled  # loaded, not compiled and written again
    _theme_change(site)
    warm_build(site, worker)
    after = _compiled(site)
    assert after and not set(after) & set(compiled)  # another key: the old ones are gone
    assert tree(site / "output") == full_reference(site, tmp_path)


def test_damaged_compiled_templates_are_compiled_again(worker: Path, tmp_path: Path) -> None:
    site = make_site(tmp_path / "situs", 30)
    warm_build(site, worker)
    folder = site.parent / "cache" / "site" / cache.JINJA_DIR
    for file in folder.rglob("*.cache"):
        file.write_bytes(file.read_bytes()[:40] + b"\x00rusak")
    body_edit(site)
    built = warm_build(site, worker)
    assert built.warm and built.incremental, built.notes
    assert tree(site / "output") == full_reference(site, tmp_path)


def test_terbits_modules_the_settings_file_imports_are_loaded_once(tmp_path: Path) -> None:
    """The project's settings file imports Terbit's configuration (pydantic models, the office
    calendar): loaded once by the warm process, not again by every build (a tenth of a second
    per build when only ``pipeline.config`` itself was preloaded)."""
    conf = Path(__file__).resolve().parents[2] / "pelicanconf.py"
    wanted = {
        node.module
        for node in ast.walk(ast.parse(conf.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline.")
    }
    script = "import sys; from pipeline.render import warm; warm._preload(); print(*sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-I", "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert loaded.returncode == 0, loaded.stderr
    assert wanted and wanted <= set(loaded.stdout.split()), wanted - set(loaded.stdout.split())
