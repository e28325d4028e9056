"""Create the office's server repository (bare, with the hooks) and seed it from a checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.forge.local.hooks import install_hooks
from pipeline.forge.local.server_key import create_server_key
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

# What a site repository holds (copied when seeding a server from a checkout).
SITE_FILES = (
    "content",
    "theme",
    "pelicanconf.py",
    "publishconf.py",
    "terbit.yml",
    "sop.yml",
    "roles.yml",
    "records",
)

MSG = Catalog(
    {
        "exists": (
            "{path} sudah ada dan tidak kosong; pilih folder baru",
            "{path} already exists and is not empty; choose a new folder",
        ),
        "not_server": (
            "{path} bukan repositori server (bare) terbit",
            "{path} is not a terbit server (bare) repository",
        ),
    }
)


def init_server(path: Path, *, hooks_only: bool = False) -> Repo:
    """A bare repository with ``main`` as its branch, the terbit hooks installed and the
    server's own signing key (for record commits) in its git dir."""
    if hooks_only:
        repo = Repo(path)
        if not repo.bare:
            raise ConfigError(MSG("not_server", path=path))
    else:
        if path.exists() and any(path.iterdir()):
            raise ConfigError(MSG("exists", path=path))
        repo = Repo.init(path, bare=True)
        # Keep a reflog on the server too: an audit trail of every ref move.
        repo.config("core.logAllRefUpdates", "always")
        repo.config("receive.fsckObjects", "true")
        create_server_key(repo.git_dir, f"terbit server {path.name}")
    install_hooks(repo.git_dir)
    return repo


def copy_site(source: Path, dest: Path) -> list[str]:
    """Copy the site's files (content, theme, settings, policy) from ``source`` into ``dest``."""
    copied = []
    for name in SITE_FILES:
        src = source / name
        if src.is_dir():
            shutil.copytree(
                src, dest / name, dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store"),
            )  # fmt: skip
        elif src.is_file():
            shutil.copy2(src, dest / name)
        else:
            continue
        copied.append(name)
    return copied
