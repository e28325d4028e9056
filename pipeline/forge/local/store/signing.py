"""SSH signatures for review records and commits (``ssh-keygen -Y sign`` / ``-Y verify``).

The allowed-signers file is always built from ``roles.yml`` on the target branch, with the person
id as principal, so a verified signature names the person directly.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

from pipeline.config.roles import Roles
from pipeline.errors import ConfigError
from pipeline.forge.local.store.events import NAMESPACE
from pipeline.forge.local.store.verdicts import Verdicts
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "no_keygen": (
            "program ssh-keygen tidak ditemukan; pasang paket openssh-client",
            "ssh-keygen was not found; install the openssh-client package",
        ),
        "sign_failed": (
            "gagal menandatangani dengan kunci {key}: {error}",
            "signing with key {key} failed: {error}",
        ),
        "no_key": (
            "kunci SSH '{key}' tidak ada; atur `git config user.signingkey PATH` "
            "atau TERBIT_SSH_KEY",
            "SSH key '{key}' does not exist; set `git config user.signingkey PATH` "
            "or TERBIT_SSH_KEY",
        ),
        "ok": ("tanda tangan sah ({who})", "valid signature ({who})"),
        "missing": (
            "tidak ditandatangani; ulasan ini tidak dihitung",
            "not signed; this review does not count",
        ),
        "unknown": (
            "'{who}' tidak punya kunci SSH di roles.yml cabang tujuan; ulasan ini tidak dihitung",
            "'{who}' has no SSH key in roles.yml on the target branch; this review does not count",
        ),
        "bad": (
            "tanda tangan tidak cocok dengan kunci '{who}' di roles.yml; ulasan ini tidak dihitung",
            "the signature does not match the key of '{who}' in roles.yml; this review does not "
            "count",
        ),
        "off": (
            "PERINGATAN: tanda tangan dimatikan (forge.signatures: off); ulasan tidak diverifikasi",
            "WARNING: signatures are off (forge.signatures: off); reviews are not verified",
        ),
    }
)

GIT_NAMESPACES = f"git,{NAMESPACE}"
# The principal the server's own key signs its records as (its checks of a change's pages).
SERVER_PRINCIPAL = "terbit-server"


def _keygen(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["ssh-keygen", *args], input=input, capture_output=True, check=False, timeout=30
        )
    except FileNotFoundError:
        raise ConfigError(MSG("no_keygen")) from None


def generate_key(path: Path, comment: str) -> str:
    """Create an ed25519 key pair without passphrase; return the public key line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    done = _keygen("-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path))
    if done.returncode != 0:
        raise ConfigError(MSG("sign_failed", key=path, error=done.stderr.decode().strip()))
    return Path(f"{path}.pub").read_text().strip()


def sign(data: bytes, key: Path) -> bytes:
    """An armored SSH signature of ``data`` made with the private key file ``key``."""
    if not key.is_file():
        raise ConfigError(MSG("no_key", key=key))
    with tempfile.TemporaryDirectory(prefix="terbit-sign-") as tmp:
        payload = Path(tmp) / "event.json"
        payload.write_bytes(data)
        done = _keygen("-Y", "sign", "-n", NAMESPACE, "-f", str(key), str(payload))
        if done.returncode != 0:
            raise ConfigError(MSG("sign_failed", key=key, error=done.stderr.decode().strip()))
        return (Path(tmp) / "event.json.sig").read_bytes()


def allowed_signers(roles: Roles) -> str:
    return roles.allowed_signers(GIT_NAMESPACES)


def write_allowed_signers(roles: Roles, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "allowed_signers"
    path.write_text(allowed_signers(roles))
    return path


class Verifier:
    """Checks event signatures against one allowed-signers file (from the target branch)."""

    def __init__(self, roles: Roles, folder: Path, verdicts: Verdicts | None = None) -> None:
        self.roles = roles
        self.file = write_allowed_signers(roles, folder)
        self.folder = folder
        self.signers = self.file.read_text()
        self.verdicts = verdicts

    def check(self, data: bytes, signature: bytes | None, who: str) -> tuple[bool, str]:
        """``(ok, note)``: ``who`` (a person id) signed ``data`` with their roles.yml key."""
        if not signature:
            return False, MSG("missing")
        person = self.roles.get(who)
        if person is None or not person.ssh_key or not person.active:
            return False, MSG("unknown", who=who)
        digest = hashlib.sha256(len(data).to_bytes(8, "big") + data + signature).hexdigest()
        good = self.verdicts.event(self.signers, who, digest) if self.verdicts is not None else None
        if good is None:
            sig = self.folder / "check.sig"
            sig.write_bytes(signature)
            done = _keygen(
                "-Y", "verify", "-f", str(self.file), "-I", who, "-n", NAMESPACE, "-s", str(sig),
                input=data,
            )  # fmt: skip
            good = done.returncode == 0
            if self.verdicts is not None:
                self.verdicts.keep_event(self.signers, who, digest, good)
        if not good:
            return False, MSG("bad", who=who)
        return True, MSG("ok", who=who)


def server_signed(
    data: bytes, signature: bytes | None, public_key: str | None, folder: Path,
    verdicts: Verdicts | None = None,
) -> bool:  # fmt: skip
    """Whether the server's key ``public_key`` (``terbit.yml`` ``forge.server_key`` of the
    target branch) signed ``data``; a person's key, or none, never passes."""
    if not signature or not public_key:
        return False
    signers = f'{SERVER_PRINCIPAL} namespaces="{NAMESPACE}" {public_key.strip()}\n'
    digest = hashlib.sha256(len(data).to_bytes(8, "big") + data + signature).hexdigest()
    good = verdicts.event(signers, SERVER_PRINCIPAL, digest) if verdicts is not None else None
    if good is None:
        folder.mkdir(parents=True, exist_ok=True)
        allowed, sig = folder / "server_signers", folder / "server.sig"
        allowed.write_text(signers)
        sig.write_bytes(signature)
        done = _keygen(
            "-Y", "verify", "-f", str(allowed), "-I", SERVER_PRINCIPAL, "-n", NAMESPACE,
            "-s", str(sig), input=data,
        )  # fmt: skip
        good = done.returncode == 0
        if verdicts is not None:
            verdicts.keep_event(signers, SERVER_PRINCIPAL, digest, good)
    return good
