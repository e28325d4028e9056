"""Rsync over SSH: upload a new release folder on the server, then switch its ``current`` link.

The upload goes to ``releases/.tmp-<id>`` (hard-linking unchanged files to the previous release
with ``--link-dest``), is renamed to ``releases/<id>`` and only then does ``current`` change, by
``ln -sfn`` on a temporary name and ``mv -T`` over the old link: one rename(2) on the server.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from pipeline.deploy.base import (
    DeployError,
    Release,
    check_release_id,
    check_site,
    pick_rollback,
    to_prune,
)
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "failed": (
            "unggah ke {where} gagal ({step}, kode {code}): {stderr}",
            "upload to {where} failed ({step}, exit {code}): {stderr}",
        ),
        "timeout": (
            "unggah ke {where} tidak selesai dalam {seconds} detik ({step})",
            "upload to {where} did not finish within {seconds} seconds ({step})",
        ),
    }
)

SSH_TIMEOUT_S = 60
RSYNC_TIMEOUT_S = 600


class RsyncTarget:
    name = "rsync"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        user: str,
        path: str,
        identity_file: str | None = None,
        known_hosts: str | None = None,
        keep: int = 5,
    ) -> None:
        self.host, self.port, self.user, self.path = host, port, user, path.rstrip("/") or "/"
        self.identity_file, self.known_hosts, self.keep = identity_file, known_hosts, keep

    @property
    def where(self) -> str:
        return f"{self.user}@{self.host}:{self.path}"

    def ssh_command(self) -> list[str]:
        command = ["ssh", "-p", str(self.port), "-o", "BatchMode=yes", "-o", "ConnectTimeout=15"]
        command += ["-o", "StrictHostKeyChecking=yes"]
        if self.identity_file:
            command += ["-i", self.identity_file, "-o", "IdentitiesOnly=yes"]
        if self.known_hosts:
            command += ["-o", f"UserKnownHostsFile={self.known_hosts}"]
        return command

    def _run(self, step: str, command: list[str], timeout: int) -> str:
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise DeployError(
                MSG("timeout", where=self.where, seconds=timeout, step=step)
            ) from None
        if done.returncode != 0:
            raise DeployError(
                MSG(
                    "failed",
                    where=self.where,
                    step=step,
                    code=done.returncode,
                    stderr=done.stderr.strip()[-500:],
                )
            )
        return done.stdout

    def _remote(self, step: str, script: str) -> str:
        command = [*self.ssh_command(), f"{self.user}@{self.host}", script]
        return self._run(step, command, SSH_TIMEOUT_S)

    def _state(self) -> tuple[list[str], str | None]:
        root = shlex.quote(self.path)
        out = self._remote(
            "ssh",
            f"mkdir -p {root}/releases && cd {root} && echo '#releases' && ls -1 releases"
            " && echo '#current' && (readlink current || true)",
        )
        ids: list[str] = []
        current: str | None = None
        section = ""
        for line in out.splitlines():
            if line.startswith("#"):
                section = line
            elif section == "#releases" and line and not line.startswith("."):
                ids.append(line)
            elif section == "#current" and line:
                current = Path(line).name
        return sorted(ids), current

    def _release(self, release_id: str) -> Release:
        return Release(release_id, f"{self.where}/releases/{release_id}", self.name)

    def releases(self) -> list[Release]:
        return [self._release(i) for i in self._state()[0]]

    def current(self) -> Release | None:
        live = self._state()[1]
        return self._release(live) if live else None

    def deploy(self, site_dir: Path, release_id: str) -> Release:
        check_release_id(release_id)
        check_site(site_dir)
        started = time.monotonic()
        ids, live = self._state()
        if release_id not in ids:
            staging = f"releases/.tmp-{release_id}"
            ssh = shlex.join(self.ssh_command())
            # Content, not build times, decides what is unchanged (Pelican rewrites every file),
            # so times are not preserved and --link-dest can share identical files.
            command = ["rsync", "-rlp", "--checksum", "--delete", "-e", ssh]
            if live and live in ids:
                # Relative to the destination folder: unchanged files become hard links.
                command.append(f"--link-dest=../{live}")
            command += [f"{site_dir}/", f"{self.user}@{self.host}:{self.path}/{staging}/"]
            self._run("rsync", command, RSYNC_TIMEOUT_S)
            self._remote(
                "rename",
                f"cd {shlex.quote(self.path)} && mv -T {shlex.quote(staging)} "
                f"releases/{shlex.quote(release_id)}",
            )
            ids = sorted([*ids, release_id])
        doomed = to_prune(ids, self.keep, {release_id})
        entry = _log_entry("deploy", release_id, live, time.monotonic() - started)
        self._switch(release_id, entry, doomed)
        return self._release(release_id)

    def rollback(self, to: str | None = None) -> Release:
        started = time.monotonic()
        ids, live = self._state()
        chosen = check_release_id(pick_rollback(ids, live, to))
        self._switch(chosen, _log_entry("rollback", chosen, live, time.monotonic() - started), [])
        return self._release(chosen)

    def _switch(self, release_id: str, entry: dict[str, object], doomed: list[str]) -> None:
        quoted = shlex.quote(release_id)
        script = (
            f"cd {shlex.quote(self.path)} && test -d releases/{quoted}"
            f" && ln -sfn releases/{quoted} .current.tmp && mv -T .current.tmp current"
            f" && printf '%s\\n' {shlex.quote(json.dumps(entry, sort_keys=True))}"
            " >> deploy-log.jsonl"
        )
        for old in doomed:
            # Out of the list first (hidden name), then deleted: a kill mid-delete never
            # leaves a half-deleted release that a rollback would offer.
            trash = shlex.quote(f"releases/.trash-{old}")
            script += f" && mv -T releases/{shlex.quote(old)} {trash} && rm -rf {trash}"
        script += " && rm -rf releases/.trash-*"
        self._remote("switch", script)


def _log_entry(
    action: str, release: str, previous: str | None, seconds: float
) -> dict[str, object]:
    return {
        "action": action,
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "release": release,
        "previous": previous,
        "seconds": round(seconds, 3),
        "target": "rsync",
    }
