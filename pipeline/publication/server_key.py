"""The server's own SSH signing key: the publication signs every record commit with it.

The private keys live in the server's git dir (``terbit/server-keys/``), outside any work tree
and never in the repository; ``terbit.yml`` ``forge.server_key`` names the public key that
``terbit verify`` trusts. That file is outside ``content/``, so only a change the head approved
can name another key: rotating is "make a new key here, merge the change that names it". Old
keys stay, so a publication still signs with whatever key ``main`` names at that moment.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import TerbitError
from pipeline.forge.local.store.forge import settings_at
from pipeline.forge.local.store.signing import generate_key
from pipeline.vcs import Repo

KEY_DIR = Path("terbit") / "server-keys"
PRINCIPAL = "terbit-server"


def _same_key(a: str, b: str) -> bool:
    """Two public key lines name one key when type and key agree (the comment may differ)."""
    return a.split()[:2] == b.split()[:2]


def create_server_key(git_dir: Path, comment: str = "terbit server") -> str:
    """A new ed25519 key pair in ``git_dir``'s key folder (private part 0600); its public line."""
    folder = git_dir / KEY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    number = 1 + max((int(p.name[4:]) for p in folder.glob("key-*[0-9]")), default=0)
    path = folder / f"key-{number}"
    public = generate_key(path, comment)
    os.chmod(path, 0o600)  # ssh-keygen does this today; the promise should not depend on it
    return public


def newest_public_key(git_dir: Path) -> str | None:
    keys = sorted((git_dir / KEY_DIR).glob("key-*.pub"), key=lambda p: int(p.stem[4:]))
    return keys[-1].read_text().strip() if keys else None


def private_key_for(git_dir: Path, public: str | None) -> Path | None:
    """The private key file in ``git_dir`` whose public half is ``public``, if the server has it."""
    if not public:
        return None
    for pub in (git_dir / KEY_DIR).glob("key-*.pub"):
        if _same_key(pub.read_text(), public) and pub.with_suffix("").is_file():
            return pub.with_suffix("")
    return None


def record_signer(repo: Repo) -> Callable[[str], str | None]:
    """For a record commit on top of ``tip``: the key ``tip``'s ``terbit.yml`` names, when this
    repository (the server) holds it; else None (the commit goes unsigned and verify says so)."""

    def key_for(tip: str) -> str | None:
        try:
            settings = settings_at(repo, tip)
        except TerbitError:
            return None
        if settings.forge.kind != "local":
            return None
        found = private_key_for(repo.git_dir, settings.forge.server_key)
        return str(found) if found else None

    return key_for
