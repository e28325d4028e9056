"""Each person's SSH signing key, kept on the server encrypted with their own passphrase.

A browser approval must verify offline exactly like one from the CLI, so it is signed with the
person's own key (the one ``roles.yml`` names). The server stores that key only encrypted
(OpenSSH format, bcrypt KDF + AES) in ``<server repo>/terbit/web/keys/<person>``; the passphrase
is asked at approval time and never stored. For the one signature the key is decrypted into a
private folder (in memory when ``/dev/shm`` exists) that is removed right after.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_ssh_private_key

from pipeline.errors import ConfigError, CredentialError, InputError
from pipeline.i18n import Catalog
from pipeline.web.accounts import web_dir

MSG = Catalog(
    {
        "short": (
            "frasa sandi minimal {n} karakter",
            "the passphrase must have at least {n} characters",
        ),
        "no_key": (
            "{id} belum punya kunci tanda tangan di server; minta Admin Website menjalankan "
            "`terbit web key new {id}` (docs/web.md)",
            "{id} has no signing key on the server yet; ask the website administrator to run "
            "`terbit web key new {id}` (docs/web.md)",
        ),
        "wrong": ("frasa sandi salah", "wrong passphrase"),
        "bad_key": (
            "{path} bukan kunci privat SSH yang dapat dibaca: {error}",
            "{path} is not a readable SSH private key: {error}",
        ),
        "exists": (
            "{id} sudah punya kunci di server; pakai --replace untuk menggantinya",
            "{id} already has a key on the server; use --replace to replace it",
        ),
    }
)

MIN_PASSPHRASE = 10
_SHM = Path("/dev/shm")


def key_path(server: Path, person_id: str) -> Path:
    return web_dir(server) / "keys" / person_id


def has_key(server: Path, person_id: str) -> bool:
    return key_path(server, person_id).is_file()


def store_key(
    server: Path,
    person_id: str,
    passphrase: str,
    *,
    private: bytes | None = None,
    old_passphrase: str | None = None,
    replace: bool = False,
) -> str:
    """Keep ``private`` (or a new ed25519 key) encrypted with ``passphrase``; return the public
    key line for ``roles.yml``."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InputError(MSG("short", n=MIN_PASSPHRASE))
    path = key_path(server, person_id)
    if path.exists() and not replace:
        raise InputError(MSG("exists", id=person_id))
    if private is None:
        key = Ed25519PrivateKey.generate()
    else:
        try:
            password = old_passphrase.encode() if old_passphrase else None
            key = load_ssh_private_key(private, password=password)  # type: ignore[assignment]
        except (ValueError, TypeError) as error:
            raise ConfigError(MSG("bad_key", path=person_id, error=error)) from None
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)  # mkstemp already made it 0600
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return public.decode("ascii")


@contextmanager
def unlocked(server: Path, person_id: str, passphrase: str) -> Iterator[Path]:
    """The person's key decrypted into a private file for one signature, removed after."""
    path = key_path(server, person_id)
    if not path.is_file():
        raise InputError(MSG("no_key", id=person_id))
    try:
        key = load_ssh_private_key(path.read_bytes(), password=passphrase.encode())
    except (ValueError, TypeError):
        raise CredentialError(MSG("wrong")) from None
    folder = Path(tempfile.mkdtemp(prefix="terbit-sign-", dir=_SHM if _SHM.is_dir() else None))
    try:
        plain = folder / "key"
        fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.OpenSSH,
                    serialization.NoEncryption(),
                )
            )
        yield plain
    finally:
        shutil.rmtree(folder, ignore_errors=True)
