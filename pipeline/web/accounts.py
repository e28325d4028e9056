"""Web accounts: argon2 password hashes in a users file beside the server repository (never in
it), login throttling and lockout, and the audit log of sign-ins.

The files live in ``<server repo>/terbit/web/`` — inside the bare repository's git directory,
outside every clone and every commit, like the server's signing keys.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from pipeline.errors import ConfigError, InputError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "short": (
            "kata sandi minimal {n} karakter",
            "the password must have at least {n} characters",
        ),
        "unknown": (
            "'{id}' bukan orang aktif di roles.yml cabang main",
            "'{id}' is not an active person in roles.yml on main",
        ),
        "exists": (
            "'{id}' sudah punya akun; pakai `terbit web user reset {id}`",
            "'{id}' already has an account; use `terbit web user reset {id}`",
        ),
        "missing": (
            "'{id}' belum punya akun; pakai `terbit web user add {id}`",
            "'{id}' has no account yet; use `terbit web user add {id}`",
        ),
        "damaged": (
            "berkas akun {path} rusak: {error}",
            "the accounts file {path} is damaged: {error}",
        ),
    }
)

MIN_PASSWORD = 10
# After this many wrong passwords for one account within the window it is locked until the
# window has moved on; every failure and every lockout is in the audit log.
LOCKOUT = parse("5/15 minutes")
# Per client address, any outcome: slows password guessing across many accounts.
PER_ADDRESS = parse("30/minute")

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@functools.cache
def _dummy(hasher: PasswordHasher) -> str:
    """Verified when the person is unknown, so an unknown name takes as long as a wrong
    password. Made at the first such sign-in, not at import: one hash is 0.3-1 s here, and
    every command that imports this module (``terbit web user``…) would pay it."""
    return hasher.hash(secrets.token_hex(16))


def web_dir(server: Path) -> Path:
    return server / "terbit" / "web"


def _write_private(path: Path, text: str) -> None:
    """Whole or not at all, readable by the server's user only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def session_secret(server: Path) -> str:
    """The key that signs session and CSRF cookies; made once, kept beside the users file."""
    path = web_dir(server) / "secret"
    if not path.is_file():
        _write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


class Users:
    """``users.json``: person id -> argon2 hash (and when it was set)."""

    def __init__(self, server: Path) -> None:
        self.path = web_dir(server) / "users.json"

    def _load(self) -> dict[str, dict[str, str]]:
        if not self.path.is_file():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigError(MSG("damaged", path=self.path, error=error)) from None
        if not isinstance(data, dict):
            raise ConfigError(MSG("damaged", path=self.path, error="not an object"))
        return data

    def ids(self) -> list[str]:
        return sorted(self._load())

    def set_password(self, person_id: str, password: str, *, new: bool) -> None:
        """Add (``new``) or reset an account's password."""
        if len(password) < MIN_PASSWORD:
            raise InputError(MSG("short", n=MIN_PASSWORD))
        users = self._load()
        if new and person_id in users:
            raise InputError(MSG("exists", id=person_id))
        if not new and person_id not in users:
            raise InputError(MSG("missing", id=person_id))
        users[person_id] = {
            "hash": _hasher.hash(password),
            # Microseconds: a reset in the same second as a sign-in still ends that session.
            "set_at": datetime.now(UTC).isoformat(),
        }
        _write_private(self.path, json.dumps(users, indent=2, sort_keys=True) + "\n")

    def set_at(self, person_id: str) -> str | None:
        """When the password was last set: a session from before a reset is no longer valid."""
        entry = self._load().get(person_id)
        return str(entry.get("set_at")) if isinstance(entry, dict) else None

    def check(self, person_id: str, password: str) -> bool:
        """True when ``password`` is this person's (same cost whether or not they exist)."""
        entry = self._load().get(person_id)
        stored = entry.get("hash") if isinstance(entry, dict) else None
        try:
            return _hasher.verify(stored or _dummy(_hasher), password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


@dataclass
class Throttle:
    """Login attempts: per client address, and wrong passwords per account (lockout)."""

    storage: MemoryStorage
    limiter: MovingWindowRateLimiter

    @classmethod
    def new(cls) -> Throttle:
        storage = MemoryStorage()
        return cls(storage, MovingWindowRateLimiter(storage))

    def address_allowed(self, address: str) -> bool:
        return self.limiter.hit(PER_ADDRESS, "login-address", address)

    # ``what``: "login" (passwords) or "passphrase" (signing keys), counted apart.
    def locked(self, person_id: str, what: str = "login") -> bool:
        return not self.limiter.test(LOCKOUT, f"{what}-failure", person_id)

    def failed(self, person_id: str, what: str = "login") -> None:
        self.limiter.hit(LOCKOUT, f"{what}-failure", person_id)

    def succeeded(self, person_id: str, what: str = "login") -> None:
        self.limiter.clear(LOCKOUT, f"{what}-failure", person_id)


class Audit:
    """Append-only JSON lines: every sign-in, failure, lockout and sign-out, with who and from
    where (the forge's own history records every change action)."""

    def __init__(self, server: Path) -> None:
        self.path = web_dir(server) / "audit.log"

    def write(self, event: str, *, person: str | None, address: str, detail: str = "") -> None:
        line = json.dumps(
            {
                "at": datetime.now(UTC).replace(microsecond=0).isoformat(),
                "event": event,
                "person": person,
                "address": address,
                "detail": detail,
            },
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    def tail(self, n: int = 200) -> list[dict[str, str]]:
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()[-n:]
        out = []
        for line in reversed(lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out
