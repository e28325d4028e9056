"""``terbit build-server``: keeps the server's warm build process and its publication service
up, starts each again when it is killed, and stops them when the service is stopped."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.render import warm

BOUND_S = 30


def wait_for(done: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + BOUND_S
    while not done():
        assert time.monotonic() < end, f"{what}: not within {BOUND_S} s"
        time.sleep(0.05)


def _worker_pid(folder: Path, lock: str = warm.LOCK) -> int:
    """The warm worker (or the service) holding the folder's lock ``lock`` (from /proc/locks,
    by the lock's inode)."""
    inode = (folder / lock).stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[5].endswith(f":{inode}"):
            return int(fields[4])
    return 0  # between a killed worker and its successor


def test_build_server_keeps_the_warm_process_up_and_stops_it(tmp_path: Path) -> None:
    server = tmp_path / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(server)], check=True)
    folder = server / "terbit"
    service = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build-server", "--repo", str(server)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: warm.ready(folder), "the warm worker")
        assert stat.S_IMODE((folder / warm.SOCKET).stat().st_mode) == 0o600
        first = _worker_pid(folder)
        assert first
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: warm.ready(folder) and _worker_pid(folder) not in (0, first), "a new one")
        # The publication service, the same way.
        socket, lock = warm.PUBLISHER_SOCKET, "publish.lock"
        wait_for(lambda: warm.ready(folder, socket), "the publication service")
        assert stat.S_IMODE((folder / socket).stat().st_mode) == 0o600
        first = _worker_pid(folder, lock)
        assert first
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: warm.ready(folder, socket) and _worker_pid(folder, lock) not in (0, first),
                 "a new publication service")  # fmt: skip
        service.send_signal(signal.SIGTERM)
        out, err = service.communicate(timeout=BOUND_S)
        assert service.returncode == 0, err
        assert "build.sock" in out and "publish.sock" in out and "Traceback" not in err
        assert not warm.ready(folder) and not warm.served(folder)
        assert not warm.ready(folder, socket) and not warm.served(folder, lock)
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
