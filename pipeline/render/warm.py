"""The warm build worker: an isolated interpreter (``python -I``) kept running by a long-lived
server process (``terbit web``, ``terbit schedule`` or ``terbit build-server``), with Pelican,
Markdown, Jinja and the build code already imported. Each build is a fork of it that runs
``worker.run`` exactly as a cold worker does, so nothing of one build (settings, theme, plugins,
Pelican's signals) outlives it, and nothing of the change is ever loaded into the warm process.
What it holds between builds is Terbit's own state: the last build's article cache, loaded from
the build cache once a build has ended (``held``), so the next fork starts with it in memory.

It listens on a Unix socket in the server's own state (``terbit/build.sock``, mode 0600). A
client sends one JSON line (the code key and the build request) and reads the worker's events.
The code key covers Terbit's code and the libraries' versions: a warm worker started from other
code answers ``stale`` and stops, so its owner starts a fresh one and the build runs cold.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import importlib.metadata
import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pipeline
from pipeline import codekey
from pipeline.render.plugins import PLUGINS

SOCKET = "build.sock"
LOCK = "build.lock"  # held by the serving worker: one per server state folder
LOG = "build-worker.log"
SWITCH_ENV = "TERBIT_WARM"  # "off": the server processes start no warm worker
TIMEOUT_ENV = "TERBIT_WARM_TIMEOUT"  # seconds a warm build may take before the cold one
TIMEOUT_S = 600.0
SELF, CHILDREN = resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN
LIBRARIES = ("pelican", "markdown", "jinja2", "nh3", "pygments", "pillow")


class Unavailable(Exception):
    """The warm worker could not build; the message says why (for the user)."""


def folder_of(git_dir: Path) -> Path:
    """The server's state folder, where its warm processes listen (``stages.warm_folder``)."""
    return git_dir / "terbit"


def code_key() -> str:
    """Terbit's code (every module, by content) and the libraries a build imports; read again
    only when a module's or a library's ``stat`` changed (``codekey``: a few ms, not 15)."""
    cheap = codekey.code_key()
    if cheap not in _KEYS:
        _KEYS.clear()
        _KEYS[cheap] = _code_key()
    return _KEYS[cheap]


_KEYS: dict[str, str] = {}


def _code_key() -> str:
    h = hashlib.sha256(sys.version.encode())
    for dist in LIBRARIES:
        try:
            h.update(f"{dist}={importlib.metadata.version(dist)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{dist}=none\0".encode())
    package = Path(pipeline.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts:
            h.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def address(folder: Path, name: str = SOCKET) -> tuple[int, str]:
    """A short address for the socket ``name`` in ``folder`` (Unix socket paths are limited to
    about 100 bytes): the folder opened (the caller closes it), named through /proc/self/fd."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    return handle, f"/proc/self/fd/{handle}/{name}"


def served(folder: Path, lock: str = LOCK) -> bool:
    """Whether a warm worker (or the service whose lock file is ``lock``) holds ``folder``'s
    lock (is serving)."""
    try:
        handle = (folder / lock).open("a")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def ready(folder: Path, name: str = SOCKET) -> bool:
    """Whether a warm worker (or the service on socket ``name``) answers on ``folder``'s socket
    (a socket file left by a killed one does not)."""
    try:
        handle, where = address(folder, name)
    except OSError:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.connect(where)
        return True
    except OSError:
        return False
    finally:
        os.close(handle)


# --- the client (the runner) -----------------------------------------------------------------


def timeout() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV) or TIMEOUT_S)
    except ValueError:
        return TIMEOUT_S


def run_warm(folder: Path, request: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The events of ``request`` built by the warm worker serving ``folder``. Raises
    ``Unavailable`` when there is none, it is stale, or it stops or hangs before ``done`` or
    ``fail``; the build's process group is then killed, so nothing of it writes any more."""
    if not (folder / SOCKET).exists():
        raise Unavailable("no_worker")
    deadline = time.monotonic() + timeout()
    handle, where = address(folder)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    group = None
    try:
        try:
            conn.connect(where)
        except OSError:
            raise Unavailable("no_worker") from None
        finally:
            os.close(handle)
        conn.sendall(json.dumps({"key": code_key(), "request": request}).encode() + b"\n")
        ended = False
        for event in read_lines(conn, deadline):
            kind = event.pop("event")
            if kind == "stale":
                raise Unavailable("stale")
            if kind == "warm":
                group = int(event["pid"])
                continue
            ended = ended or kind in ("done", "fail")
            yield kind, event
        if not ended:
            raise Unavailable("stopped")
    except BaseException:
        if group is not None:
            _kill_group(group)
        raise
    finally:
        conn.close()


def read_lines(conn: socket.socket, deadline: float) -> Iterator[dict[str, Any]]:
    buffer = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Unavailable("timeout")
        ready, _, _ = select.select([conn], [], [], left)
        if not ready:
            continue
        try:
            chunk = conn.recv(65536)
        except OSError:
            return
        if not chunk:
            return
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            yield json.loads(line)


def _kill_group(group: int) -> None:
    """Kill a warm build and its forks, and wait (bounded) until they are gone: a fork still
    writing pages must not race the cold build that follows."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
    end = time.monotonic() + 5
    while time.monotonic() < end:
        try:
            os.killpg(group, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.02)


# --- the owner (a long-running server process) -----------------------------------------------


def switched_off() -> bool:
    return os.environ.get(SWITCH_ENV, "").strip().lower() == "off"


class Service:
    """A warm worker for the server state folder ``folder``, started and, when it stopped
    (killed, stale), started again by ``check``. Another process's worker is left alone.
    ``module``, ``lock`` and ``log`` name a sibling service kept up the same way (the
    publication service, ``publisher``)."""

    def __init__(
        self, folder: Path, module: str = "pipeline.render.warm", lock: str = LOCK, log: str = LOG
    ) -> None:
        self.folder = folder
        self.module, self.lock, self.log = module, lock, log
        self.proc: subprocess.Popen[bytes] | None = None

    def check(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        if served(self.folder, self.lock):
            return
        with (self.folder / self.log).open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", f"from {self.module} import main; main()"],
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # a Ctrl-C of the owner's terminal is the owner's
            )

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# The publication service (``pipeline.hooks.publisher``, named here as a program to start, not
# imported): ``post-receive`` asks it to publish, in a process that has the publication's code
# imported and a Chromium started. Its log is the publications' log (``hooks.server.LOG_FILE``).
PUBLISHER_SOCKET = "publish.sock"


def publisher(folder: Path) -> Service:
    return Service(folder, "pipeline.hooks.publisher", "publish.lock", "publish.log")


def services(folder: Path) -> list[Service]:
    """What a long-running server process keeps up: the warm build and the publication
    service (``TERBIT_WARM=off``: neither)."""
    return [] if switched_off() else [Service(folder), publisher(folder)]


# --- the warm worker itself ------------------------------------------------------------------


# What every build imports, loaded once in the warm process and shared by every fork: the
# libraries, the build code and the office's plugins (``render.plugins``, named by the project's
# settings). The plugins are Terbit's own code (the code key covers them) and count in the build
# key as a cold build of the project's settings counts them; a site whose settings name fewer of
# them gets another key from a warm build than from a cold one, so alternating builds read it
# whole, never a different page.
PRELOAD = (
    "pelican.generators",
    "pelican.readers",
    "pelican.settings",
    "pelican.writers",
    "markdown",
    "holidays",  # the office calendar (settings): a third of a second
    "pydantic",
    "yaml",
    "nh3",
    "PIL.Image",
    "pipeline.render.worker",
    # The project's settings file reads terbit.yml and roles.yml through these (pydantic's
    # models, the office calendar): a tenth of a second a build when each fork imports them.
    "pipeline.config.settings",
    "pipeline.config.roles",
    *PLUGINS,
)


def _preload() -> None:
    # Here, not at the top: the publication service's clients (post-receive) import this
    # module for its socket's client, and the cache imports Pelican.
    from pipeline.render import cache

    for name in PRELOAD:
        importlib.import_module(name)
    cache.remember_modules()  # the forks' build keys do not resolve these files again


def listen(name: str) -> socket.socket:
    """A Unix socket listening at ``name`` in the working folder (a stale one replaced), mode
    0600 from the start: no moment when another user may connect."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(name)
    finally:
        os.umask(old)
    os.chmod(name, 0o600)
    listener.listen(8)
    return listener


def serve(folder: Path) -> None:
    """Serve builds from the socket in ``folder`` (the working folder) until told to stop."""
    lock = (folder / LOCK).open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return  # another worker serves this folder
    key = code_key()
    _preload()
    listener = listen(SOCKET)
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    builds: set[int] = set()
    last: str | None = None  # the build cache folder of the last build
    try:
        while not stopping:
            if _reap(builds) and not builds and last is not None:
                _hold(last)  # its caches, as the build just left them, for the next one
            # Soon after a build ends, so its caches are held before the next one comes.
            ready, _, _ = select.select([listener], [], [], 0.05 if builds else 1.0)
            if ready:
                conn, _ = listener.accept()
                if _reap(builds) and not builds and last is not None:
                    _hold(last)  # a build just ended: the next starts with its caches held
                with conn:
                    started = _accept(conn, key)
                if started is None:
                    return  # stale: the owner starts a worker with the new code
                if started:
                    pid, request = started
                    builds.add(pid)
                    last = str(request.get("cache_dir") or "") or last
    except InterruptedError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(SOCKET)
        listener.close()


def _reap(builds: set[int]) -> bool:
    """Collect the ended builds; whether one of ``builds`` was among them (removed)."""
    ended = False
    with contextlib.suppress(ChildProcessError):
        while pid := os.waitpid(-1, os.WNOHANG)[0]:
            ended |= pid in builds
            builds.discard(pid)
    return ended


def _hold(cache_dir: str) -> None:
    """Hold the build cache's article cache loaded (``held``); a failure only costs time."""
    from pipeline.render import fastpath

    try:
        kept = fastpath.hold(Path(cache_dir))
        print(f"held {cache_dir}: {'yes' if kept else 'no'}", file=sys.stderr, flush=True)
    except Exception:
        import traceback

        traceback.print_exc()


def _accept(conn: socket.socket, key: str) -> tuple[int, dict[str, Any]] | tuple[()] | None:
    """Fork a build for the request on ``conn``: its pid and request; () when there was no
    request; None when the client runs other code."""
    conn.settimeout(10)
    try:
        raw = conn.makefile("rb").readline()
        message = json.loads(raw)
        request = message["request"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    if message.get("key") != key or not isinstance(request, dict):
        with contextlib.suppress(OSError):
            conn.sendall(b'{"event": "stale"}\n')
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _child(conn, request)
    return pid, request


def _child(conn: socket.socket, request: dict[str, Any]) -> None:
    """A build, as the cold worker's ``main`` runs it; its own process group, so a client that
    gives up kills it with its forks."""
    code = 1
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        from pipeline.i18n import set_lang
        from pipeline.render import worker

        set_lang(request.get("lang"))
        conn.settimeout(None)
        threading.Thread(target=_end_with_client, args=(conn,), daemon=True).start()
        stream = conn.makefile("w", encoding="utf-8")
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)  # Pelican's own console lines are not events
        events = worker.Events(stream)
        events.send("warm", pid=os.getpid())
        profile = os.environ.get(worker.PROFILE_ENV)  # as the cold worker's (for tuning)
        if profile:
            import cProfile

            cProfile.runctx("worker.run_reporting(request, events)", globals(), locals(), profile)
        else:
            worker.run_reporting(request, events)
        # This build's peak resident set and processor time (its forks included; a fork starts
        # from zero), for the benchmark: on a shared machine the time a build used says more
        # than its wall time.
        usage = [resource.getrusage(who) for who in (SELF, CHILDREN)]
        cpu = sum(u.ru_utime + u.ru_stime for u in usage)
        events.send("peak", kb=max(u.ru_maxrss for u in usage), cpu_s=round(cpu, 3))
        stream.flush()
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _end_with_client(conn: socket.socket) -> None:
    """Kill this build (its group) when its client has gone: a client killed with -9 (the
    publication service) cannot kill it, and its pages must not race the build that resumes
    the publication. The client sends nothing after its request, so readable means closed."""
    with contextlib.suppress(OSError):
        select.select([conn], [], [])
        if conn.recv(1, socket.MSG_PEEK) == b"":
            os.killpg(0, signal.SIGKILL)


def main() -> None:
    serve(Path.cwd())
