"""The publication service: publishing after a push, in a process that is already up.

``post-receive`` used to start a new interpreter per publication (its start and imports are a
second and more), which started a new Chromium (another half second, and cold page loads). The
service is an isolated interpreter (``python -I``) kept up by the server's long-running
processes (``terbit web``, ``terbit schedule``, ``terbit build-server``: ``render.warm.publisher``)
with the publication's code imported and two Chromiums kept started between publications, one
for the screenshots and one for the page check, which run at the same time (a new context per
page; each started again when it died). It holds only Terbit's own state: the build still
runs in the warm build process's isolated fork, and nothing of a change is imported or executed
here.

It listens on ``terbit/publish.sock`` (mode 0600) in the server's state folder. ``post-receive``
sends one JSON line (the code key, old and new, the ``TERBIT_*`` settings of its environment,
whether it waits); the service answers ``accepted`` and, for a waiting push, the publication's
output lines and its end. A service of another code version answers ``stale`` and stops; one that
is down, stale or dies before the end is replaced by today's process (``hooks.publish``), with a
line in the publications' log. Publications run one after the other on one thread (Playwright's
sync API stays on the thread that started it), under the same publication lock and with the same
resume markers as the process: a service killed in the middle leaves the marker, and the next
push resumes the publication.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import queue
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pipeline.hooks.server import log, use_language
from pipeline.i18n import Catalog
from pipeline.publication.lock import LOCK_WAIT_S
from pipeline.render import warm
from pipeline.vcs import Repo

SOCKET = warm.PUBLISHER_SOCKET
LOCK = "publish.lock"
SHA = re.compile(r"[0-9a-f]{40}")
ACCEPT_S = 10.0  # a service that does not accept within this is not used
# A waiting push gives up on a service that neither ends nor dies within this: a publication may
# wait for the lock, then build (bounded by the warm build's own timeout).
WAIT_S = LOCK_WAIT_S + warm.TIMEOUT_S


MSG = Catalog(
    {
        "publishing": (
            "layanan publikasi: menerbitkan {old}..{new}",
            "publication service: publishing {old}..{new}",
        ),
        "refused": (
            "layanan publikasi: permintaan tidak terbaca, ditolak ({error})",
            "publication service: an unreadable request was refused ({error})",
        ),
    }
)


class Unused(Exception):
    """The service did not publish; ``args[0]`` says why (a key of ``post_receive.MSG``)."""


# --- the client (post-receive) ---------------------------------------------------------------


def request(
    folder: Path, old: str, new: str, *, sync: bool, relay: Callable[[str], None]
) -> int | None:
    """Ask the service serving ``folder`` to publish ``old..new``. Detached (``sync`` False):
    None once it accepted. Waiting: each output line to ``relay``, then the publication's exit
    code. Raises ``Unused`` when it is not up, is stale, or stops before the end."""
    if not (folder / SOCKET).exists():
        raise Unused("no_service")
    handle, where = warm.address(folder, SOCKET)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            conn.connect(where)
        except OSError:
            raise Unused("no_service") from None
        finally:
            os.close(handle)
        env = {k: v for k, v in os.environ.items() if k.startswith("TERBIT_")}
        message = {"key": warm.code_key(), "old": old, "new": new, "sync": sync, "env": env}
        conn.sendall(json.dumps(message).encode() + b"\n")
        first = next(warm.read_lines(conn, time.monotonic() + ACCEPT_S), {})
        if first.get("event") == "stale":
            raise Unused("stale")
        if first.get("event") != "accepted":
            raise Unused("stopped")
        if not sync:
            return None
        for event in warm.read_lines(conn, time.monotonic() + WAIT_S):
            if event.get("event") == "line":
                relay(str(event.get("text", "")))
            elif event.get("event") == "end":
                return int(event.get("code", 1))
        raise Unused("stopped")
    except (OSError, ValueError, AttributeError, TypeError, warm.Unavailable):
        # Gone, silent past its bound, or answering garbage: the new process publishes.
        raise Unused("stopped") from None
    finally:
        conn.close()


# --- the service -----------------------------------------------------------------------------


@dataclass
class Job:
    old: str
    new: str
    env: dict[str, str]
    conn: socket.socket | None  # a waiting push's connection; None once it went away


class Relay:
    """The publication's standard output: to the service's own output (the publications' log),
    and each line to the waiting push, if any (a push that went away stops getting them)."""

    def __init__(self, log: TextIO, conn: socket.socket | None) -> None:
        self.log, self.conn, self.buffer = log, conn, ""
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:  # the screenshots and the page check print from two threads
            self.log.write(text)
            self.buffer += text
            *lines, self.buffer = self.buffer.split("\n")
            for line in lines:
                self.send({"event": "line", "text": line})
        return len(text)

    def flush(self) -> None:
        self.log.flush()

    def send(self, event: dict[str, Any]) -> None:
        if self.conn is None:
            return
        try:
            self.conn.sendall(json.dumps(event).encode() + b"\n")
        except OSError:
            self.conn = None


def serve(folder: Path) -> None:
    """Serve publications from the socket in ``folder`` (the working folder) until told to
    stop, or until a client of other code comes (``stale``)."""
    lock = (folder / LOCK).open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return  # another service serves this folder
    # The push checks' server (``hooks.checker``, named as a program to start: it runs the
    # hooks' work, which hands publications to this module), ending with this process. A
    # session of its own: a push it serves outlives this service killed with its group, and
    # starts the publication in a new process as the hook did.
    program = "from pipeline.hooks.checker import main; main(of_service=True)"
    checks = subprocess.Popen(
        [sys.executable, "-I", "-c", program], cwd=folder, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        _serve(folder)
    finally:
        checks.terminate()
        try:
            checks.wait(5)
        except subprocess.TimeoutExpired:
            checks.kill()
            checks.wait()


def _serve(folder: Path) -> None:
    key = warm.code_key()
    # The publication's code, imported once, by the service only (start-up of post-receive).
    from pipeline.hooks.publish import publish

    repo = Repo(folder.parent)
    jobs: queue.Queue[Job | None] = queue.Queue()
    worker = threading.Thread(target=_work, args=(repo, jobs, publish), daemon=True)
    worker.start()
    listener = warm.listen(SOCKET)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        while not stopping.is_set() and worker.is_alive():
            ready, _, _ = select.select([listener], [], [], 1.0)
            if ready:
                conn, _ = listener.accept()
                if not _accept(conn, key, repo, jobs):
                    break  # stale: the owner starts a service with the new code
    except InterruptedError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(SOCKET)
        listener.close()
        jobs.put(None)  # the publication under way ends first (a resumable stop otherwise)
        worker.join()


def _accept(conn: socket.socket, key: str, repo: Any, jobs: queue.Queue[Job | None]) -> bool:
    """Queue the publication asked on ``conn``; False when the client runs other code."""
    # start-up: loaded by the service only (post-receive imports this module too).
    from pipeline.publication.run import expect

    try:
        conn.settimeout(ACCEPT_S)
        line = conn.makefile("rb").readline()
        if not line.strip():  # a readiness probe (``warm.ready``) connects and says nothing
            conn.close()
            return True
        message = json.loads(line)
        old, new, env = message["old"], message["new"], message.get("env") or {}
        if not (SHA.fullmatch(old) and SHA.fullmatch(new) and isinstance(env, dict)):
            raise ValueError(old, new)
        if message.get("key") != key:
            conn.sendall(b'{"event": "stale"}\n')
            conn.close()
            return False
        env = {str(k): str(v) for k, v in env.items() if str(k).startswith("TERBIT_")}
        # Marked before it is queued: a service stopped or killed before it starts leaves
        # the publication to the next push, as one killed in the middle does.
        expect(repo.git_dir, old, new)
        conn.sendall(b'{"event": "accepted"}\n')
    except Exception as error:  # a request it cannot take: that push's hook publishes alone
        log(repo, MSG("refused", error=f"{type(error).__name__}: {error}"[:200]))
        conn.close()
        return True
    conn.settimeout(None)
    if not message.get("sync"):
        conn.close()
    jobs.put(Job(old, new, env, conn if message.get("sync") else None))
    return True


def _work(repo: Any, jobs: queue.Queue[Job | None], publish: Callable[..., int]) -> None:
    """The publications, one after the other, with Chromium kept warm between them."""
    # start-up: Playwright is loaded by the service only (post-receive imports this module too).
    from pipeline.evidence.browser import KeptBrowsers
    from pipeline.record.render import warm_pdf

    browsers = KeptBrowsers()
    browsers.warm()
    warm_pdf()  # the fonts of the first record, before any publication waits for them
    try:
        while (job := jobs.get()) is not None:
            _publish(job, repo, publish, browsers)
            browsers.prepare()  # the next one's clean contexts, made while none waits
    finally:
        browsers.close()


def _publish(job: Job, repo: Any, publish: Callable[..., int], browsers: Any) -> None:
    saved = {k: v for k, v in os.environ.items() if k.startswith("TERBIT_")}
    relay = Relay(sys.stdout, job.conn)
    code = 1
    try:
        # The push's own settings (language, clock, switches), as its process had them.
        for name in saved:
            del os.environ[name]
        os.environ.update(job.env)
        use_language(repo)
        log(repo, MSG("publishing", old=job.old[:10], new=job.new[:10]))
        with contextlib.redirect_stdout(relay):
            code = publish(repo, job.old, job.new, browsers)
    except Exception:
        traceback.print_exc()
    finally:
        for name in [k for k in os.environ if k.startswith("TERBIT_")]:
            del os.environ[name]
        os.environ.update(saved)
        relay.flush()
        relay.send({"event": "end", "code": code})
        if job.conn is not None:
            job.conn.close()


def main() -> None:
    serve(Path.cwd())
