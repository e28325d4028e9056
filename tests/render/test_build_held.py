"""The article cache held loaded by the warm process between builds (``render.held``): used only
while it is the very file the trusted state names, never importing anything to load it, and
given up when a reference to the build's context is not where a fork can set it."""

from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path

import pytest

from benchmarks.sitegen import make_site
from pipeline.render import cache, fastpath, held, warm
from pipeline.render.runner import build_site
from tests.render.test_build_incremental import full_reference, new_newest
from tests.render.test_build_warm import started, wait_for, warm_build
from tests.support.tree import tree


class _Article:
    """Stands for a cached content object (``fastpath.context_holders`` reads ``_context``)."""


class _Shared(pickle.Pickler):
    def __init__(self, file: object, shared: dict[str, object]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)  # type: ignore[arg-type]
        self._ids = {id(v): k for k, v in shared.items()}

    def persistent_id(self, obj: object) -> str | None:
        return self._ids.get(id(obj))


def _pickled_with_refs(entries: object, shared: dict[str, object]) -> bytes:
    import io

    buffer = io.BytesIO()
    _Shared(buffer, shared).dump(entries)
    return buffer.getvalue()


def _folder_with(tmp_path: Path, data: bytes, name: str = "FastArticlesGenerator") -> Path:
    folder = tmp_path / "cache"
    (folder / cache.PELICAN_DIR).mkdir(parents=True)
    (folder / cache.PELICAN_DIR / name).write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    cache.save_state(folder, cache.State(key="k", output="output", pelican={name: sha}))
    return folder


@pytest.fixture
def shared() -> dict[str, object]:
    return {"settings": {"SITENAME": "x"}, "context": {"generated_content": {}}}


def test_a_held_file_refers_to_placeholders_a_fork_makes_its_own(
    tmp_path: Path, shared: dict[str, object]
) -> None:
    article = _Article()
    article.settings = shared["settings"]  # type: ignore[attr-defined]
    article._context = shared["context"]  # type: ignore[attr-defined]
    folder = _folder_with(tmp_path, _pickled_with_refs({"a.md": ("stamp", article)}, shared))
    try:
        assert fastpath.hold(folder)
        kept = held.current(folder)
        assert kept is not None
        settings = kept.adopt({"SITENAME": "Situs"})
        path = folder / cache.PELICAN_DIR / "FastArticlesGenerator"
        sha = cache.load_state(folder).pelican[path.name]  # type: ignore[union-attr]
        assert kept.take(path, "another sha", settings) is None
        assert kept.take(path, sha, {"SITENAME": "Situs"}) is None  # not the placeholder
        taken = kept.take(path, sha, settings)
        assert taken is not None
        (_, loaded) = taken.entries["a.md"]
        assert loaded.settings is settings and settings["SITENAME"] == "Situs"
        assert taken.holders == [loaded] and loaded._context is kept.context
        assert kept.take(path, sha, settings) is None  # once per build
    finally:
        held.hold(tmp_path / "none", fastpath.context_holders)  # drop what is held


def test_a_file_changed_since_it_was_held_is_not_taken(
    tmp_path: Path, shared: dict[str, object]
) -> None:
    folder = _folder_with(tmp_path, _pickled_with_refs({"a.md": ("stamp", _Article())}, shared))
    try:
        assert fastpath.hold(folder)
        kept = held.current(folder)
        assert kept is not None
        path = folder / cache.PELICAN_DIR / "FastArticlesGenerator"
        sha = cache.load_state(folder).pelican[path.name]  # type: ignore[union-attr]
        path.write_bytes(path.read_bytes() + b"\n")  # appended: another size and time
        assert kept.take(path, sha, kept.adopt({})) is None
    finally:
        held.hold(tmp_path / "none", fastpath.context_holders)


def test_loading_a_held_file_imports_nothing(tmp_path: Path) -> None:
    """A class of a module the warm process has not imported is never imported to hold a
    cache (it could be a tree's plugin): the file is not held, the module never runs."""
    module = tmp_path / "modul_dari_pohon.py"
    marker = tmp_path / "ran"
    module.write_text(f"open({str(marker)!r}, 'w').close()\nclass Jebakan:\n    pass\n", "utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        # The protocol-0 opcodes of a global, as a pickle of ``modul_dari_pohon.Jebakan`` has.
        data = b"(dp0\nVa.md\np1\ncmodul_dari_pohon\nJebakan\np2\ns."
        folder = _folder_with(tmp_path, data)
        assert not fastpath.hold(folder)
        assert not marker.exists() and "modul_dari_pohon" not in sys.modules
    finally:
        sys.path.remove(str(tmp_path))
        held.hold(tmp_path / "none", fastpath.context_holders)


def test_a_file_that_is_not_the_one_the_state_names_is_never_unpickled(
    tmp_path: Path, shared: dict[str, object]
) -> None:
    """Only a cache file whose SHA-256 the state records is opened as a pickle: another one
    (here one that would call ``os.mkdir``, a module the warm process has loaded) is left to
    the build, which refuses it too (``cache.load_state``)."""
    folder = _folder_with(tmp_path, _pickled_with_refs({"a.md": ("stamp", _Article())}, shared))
    marker = tmp_path / "dibuat"
    hostile = f"cos\nmkdir\n(V{marker}\ntR.".encode()
    (folder / cache.PELICAN_DIR / "FastArticlesGenerator").write_bytes(hostile)
    try:
        assert not fastpath.hold(folder)
        assert not marker.exists()
    finally:
        held.hold(tmp_path / "none", fastpath.context_holders)


def test_a_context_reference_a_fork_cannot_set_means_the_file_is_not_held(
    tmp_path: Path, shared: dict[str, object]
) -> None:
    article = _Article()
    article._context = shared["context"]  # type: ignore[attr-defined]
    elsewhere = {"kept": shared["context"]}  # not an article's ``_context``
    data = _pickled_with_refs({"a.md": ("stamp", article), "b.md": ("stamp", elsewhere)}, shared)
    folder = _folder_with(tmp_path, data)
    try:
        assert not fastpath.hold(folder)
    finally:
        held.hold(tmp_path / "none", fastpath.context_holders)


def _held_lines(folder: Path) -> int:
    return (folder / warm.LOG).read_text(encoding="utf-8").count(": yes")


@pytest.mark.slow
@pytest.mark.xdist_group("build-warm")
def test_a_cache_rewritten_by_a_cold_build_is_read_again(tmp_path: Path) -> None:
    """The warm process holds what its last build left; a cold full build since rewrote the
    cache, so the next warm build reads the new file, and the site is the full build's."""
    folder = tmp_path / "server" / "terbit"
    service = started(folder)
    try:
        site = make_site(tmp_path / "situs", 30)
        warm_build(site, folder)
        new_newest(site)
        second = warm_build(site, folder)
        assert second.warm and second.held and second.incremental, second.notes
        # The warm process has held the cache as the second build left it (its log says so).
        wait_for(lambda: _held_lines(folder) >= 2, "the caches held after the second build")
        cold = build_site(site, cache_base=site.parent / "cache", full=True)
        assert not cold.warm
        third = warm_build(site, folder)
        assert third.warm and not third.held and third.incremental, third.notes
        assert tree(site / "output") == full_reference(site, tmp_path)
    finally:
        service.stop()
