"""Offices built once and copied: an office (server repository with its hooks and signing key,
a key and a clone per person, pushes through the real hooks) takes seconds to create, a web
story with its signed changes about 20; most test modules only need one of their own, the same
as every other module's of that kind. So each kind is built once per run, as a template, under
a lock in the folder all xdist workers share, and every module gets a copy: the whole tree
copied (symbolic links kept as links), then the absolute paths the copy holds (the clones'
remote, their signing key, the hook scripts' push lock) pointed at the copy. A copy shares
nothing with the template or another copy: a push to one never shows in another
(tests/forge/test_forge_office_copies.py).
"""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.cli.demo.office import Office, create_office
from pipeline.config.roles import ROLES_FILE, load_roles
from pipeline.vcs import Repo
from tests.support.forge import make_source

DONE = "terbit-template.json"  # written last: a template without it is a broken build
_TEXT_LIMIT = 1 << 20  # config, hook scripts, state files; never packs or pictures


def shared_root(factory: pytest.TempPathFactory) -> Path:
    """The folder every xdist worker of this run shares (each has its own basetemp in it)."""
    base = factory.getbasetemp()
    return base.parent if base.name.startswith("popen-gw") else base


def _git_objects(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    if "objects" not in parts:
        return False
    return parts[parts.index("objects") + 1 : parts.index("objects") + 2] != ("info",)


def _repoint(root: Path, old: str, new: str) -> None:
    """Every text file under ``root`` that names ``old`` (the template's folder) names ``new``
    instead; a binary file naming it would be left wrong, so it stops the copy."""
    was, now = old.encode(), new.encode()
    for path in root.rglob("*"):
        if path.is_symlink() or not path.is_file() or _git_objects(path, root):
            continue
        if path.stat().st_size > _TEXT_LIMIT:
            continue
        data = path.read_bytes()
        if was not in data:
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise AssertionError(f"{path} names {old} and is not text: cannot copy it") from None
        path.write_bytes(data.replace(was, now))


def _people(server: Path) -> Office:
    text = Repo(server).show_file("refs/heads/main", ROLES_FILE)
    people = [p for p in load_roles(text, ROLES_FILE).people if p.active]
    return Office(root=server.parent, server=server, people={p.id: p for p in people})


def copied_office(
    factory: pytest.TempPathFactory,
    kind: str,
    build: Callable[[Path], tuple[Office, dict[str, str]]],
    dest: Path,
) -> tuple[Office, dict[str, str]]:
    """A copy at ``dest`` of the office ``kind``, built by ``build(folder)`` the first time any
    worker of this run asks for it. ``build`` returns the office (created in ``folder``, which
    must be its root) and a few names to keep with it (change ids); both are returned."""
    shared = shared_root(factory)
    template = shared / f"office-template-{kind}"
    with (shared / f"office-template-{kind}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / DONE).is_file():
            shutil.rmtree(template, ignore_errors=True)
            office, names = build(template / "kantor")
            assert office.root == template / "kantor", office.root
            (template / DONE).write_text(json.dumps(names), encoding="utf-8")
    names = json.loads((template / DONE).read_text(encoding="utf-8"))
    assert not dest.exists(), dest
    shutil.copytree(template / "kantor", dest, symlinks=True)
    _repoint(dest, str(template / "kantor"), str(dest))
    return _people(dest / "server.git"), names


def plain_office(factory: pytest.TempPathFactory) -> Office:
    """A copy of the office seeded from ``make_source`` (signatures required), unpublished:
    the forge tests' office."""

    def build(folder: Path) -> tuple[Office, dict[str, str]]:
        source = make_source(folder.parent / "sumber")
        return create_office(folder, source, seed_message="Isi awal"), {}

    with pytest.MonkeyPatch.context() as env:
        env.setenv("TERBIT_PUBLISH", "off")  # the template's seed publishes nothing
        return copied_office(factory, "plain", build, factory.mktemp("office") / "kantor")[0]
