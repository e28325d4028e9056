"""The server's push checks answered by a process that has their code loaded already.

A ``pre-receive`` that checks a merge in its own interpreter spends most of its time importing
(settings models, GitPython, the gate, the draft checks: about half a second at 5,000 articles,
more under load). The publication service (``hooks.publisher``, kept up by ``terbit web``,
``terbit schedule`` and ``terbit build-server``) starts a check server (``python -I``, ending
with it) with that code imported; it listens on ``terbit/check.sock`` (mode 0600) next to the
service's own socket. ``pre-receive`` becomes a thin client: it takes the push lock, sends its
ref updates, its ``TERBIT_*`` settings and the quarantine environment Git gave it (the pushed
objects live in ``objects/tmp_objdir-incoming-*`` until the hook accepts), and prints the
answer. The server forks once per push and the fork runs exactly the in-process check
(``hooks.push_check``) with that environment, so nothing of one push outlives it; it reads
the pushed objects only through ``pipeline.vcs`` and never imports or runs anything from the
push. A quarantine environment that points anywhere but this repository's object folder is
not served. ``post-receive`` is a thin client the same way: a fork runs its work
(``hooks.merged``: the merge's record, the publication hand-off) for the push's receive-pack,
and each line it says goes back to the pusher as it is said.

When the server is down, runs other code (``stale``: it then stops the service, whose owner
starts one with the new code) or answers anything but a verdict, the hook runs the check
itself, as before, with a line in the server's log.

Light on purpose: the hook imports this module before it knows whether it needs anything else.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.codekey import code_key
from pipeline.render import warm

SOCKET = "check.sock"
# What Git tells a pre-receive about the push's quarantined objects; nothing else of the hook's
# environment but the ``TERBIT_*`` settings reaches the check.
QUARANTINE = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH")
ANSWER_S = 300.0  # a check that has not answered by then: the hook checks on its own
# post-receive's work may wait for a publication (``TERBIT_PUBLISH=sync``): its lock, then the
# warm build's own bound, then the rest of the publication.
RECORD_S = 2 * warm.TIMEOUT_S
# Imported once by the server (the in-process check and what a merge's check loads lazily).
PRELOAD = (
    "pipeline.hooks.push_check",
    "pipeline.hooks.merged",
    "pipeline.gate.drafts",
    "pipeline.gate.fact_cache",
    "holidays.countries",  # the gate counts working days (a third of a second, all countries)
)


class Unused(Exception):
    """The server did not check the push; ``args[0]`` says why (a key of ``push_check.MSG``)."""


class CutOff(Exception):
    """The server started ``post-receive``'s work and stopped answering before its end."""


# --- the client (pre-receive) ----------------------------------------------------------------


def request(git_dir: Path, lines: list[str], env: dict[str, str]) -> tuple[int, str]:
    """The exit code and the text for the pusher of the check of ``lines``, as the server in
    ``git_dir``'s state folder answered it. Raises ``Unused`` when it is not up, is stale, or
    answers no verdict within ``ANSWER_S``."""
    conn = _connect(git_dir)
    try:
        sent = {k: v for k, v in env.items() if k.startswith("TERBIT_")}
        for name in QUARANTINE:  # absolute: Git may name them from the repository
            if name in env:
                sent[name] = os.pathsep.join(
                    str(Path(part).resolve()) for part in env[name].split(os.pathsep)
                )
        message = {"key": code_key(), "lines": lines, "env": sent}
        conn.sendall(json.dumps(message).encode() + b"\n")
        answer = next(warm.read_lines(conn, time.monotonic() + ANSWER_S), {})
        if answer.get("event") == "stale":
            raise Unused("stale")
        code, text = answer.get("code"), answer.get("text")
        if answer.get("event") != "verdict" or code not in (0, 1) or not isinstance(text, str):
            raise Unused("garbage")
        return code, text
    except (OSError, ValueError, AttributeError, TypeError, warm.Unavailable):
        raise Unused("garbage") from None
    finally:
        conn.close()


def record(
    git_dir: Path, lines: list[str], env: dict[str, str], owner: int, say: Callable[[str], None]
) -> None:
    """Have the server run ``post-receive``'s work (``hooks.merged``) for the push of
    receive-pack ``owner``, each line it says to ``say`` as it comes. Raises ``Unused`` when
    it did not start (not up, stale, garbage), ``CutOff`` when it started and then stopped
    answering before the end."""
    conn = _connect(git_dir)
    try:
        sent = {k: v for k, v in env.items() if k.startswith("TERBIT_")}
        message = {"key": code_key(), "kind": "record", "lines": lines, "env": sent,
                   "owner": owner}  # fmt: skip
        conn.sendall(json.dumps(message).encode() + b"\n")
        events = warm.read_lines(conn, time.monotonic() + RECORD_S)
        first = next(events, {})
        if first.get("event") == "stale":
            raise Unused("stale")
        if first.get("event") != "accepted":
            raise Unused("garbage")
    except (OSError, ValueError, AttributeError, TypeError, warm.Unavailable):
        conn.close()
        raise Unused("garbage") from None
    try:
        for event in events:
            if event.get("event") == "line":
                say(str(event.get("text", "")))
            elif event.get("event") == "end":
                return
        raise CutOff()
    except (OSError, ValueError, AttributeError, TypeError, warm.Unavailable):
        raise CutOff() from None
    finally:
        conn.close()


def _connect(git_dir: Path) -> socket.socket:
    folder = warm.folder_of(git_dir)
    if not (folder / SOCKET).exists():
        raise Unused("no_service")
    handle, where = warm.address(folder, SOCKET)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(where)
    except OSError:
        conn.close()
        raise Unused("no_service") from None
    finally:
        os.close(handle)
    return conn


# --- the server ------------------------------------------------------------------------------


def serve(folder: Path, parent: int | None = None, *, stop_parent: bool = False) -> None:
    """Answer checks on ``folder/check.sock`` until told to stop, until ``parent`` is gone, or
    until a client of other code comes (then ``parent`` is told to stop too when
    ``stop_parent``)."""
    import importlib

    os.chdir(folder)
    key = code_key()
    for name in PRELOAD:
        importlib.import_module(name)
    listener = warm.listen(SOCKET)
    mine = os.stat(SOCKET).st_ino  # a server started after this one binds its own
    stopping = False

    def stop_serving(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop_serving)
    signal.signal(signal.SIGINT, stop_serving)
    try:
        while not stopping and (parent is None or os.getppid() == parent):
            _reap()
            with contextlib.suppress(InterruptedError):
                ready, _, _ = select.select([listener], [], [], 1.0)
                if not ready:
                    continue
                conn, _ = listener.accept()
                with conn:
                    if not _accept(conn, key, folder.parent):
                        if parent is not None and stop_parent:  # stale: both start anew
                            with contextlib.suppress(ProcessLookupError):
                                os.kill(parent, signal.SIGTERM)
                        return
    finally:
        with contextlib.suppress(FileNotFoundError):
            if os.stat(SOCKET).st_ino == mine:
                os.unlink(SOCKET)
        listener.close()


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _accept(conn: socket.socket, key: str, git_dir: Path) -> bool:
    """Fork the check asked on ``conn``; False when the client runs other code."""
    conn.settimeout(10)
    try:
        message = json.loads(conn.makefile("rb").readline())
        lines, env, kind = message["lines"], message["env"], message.get("kind", "check")
        owner = message.get("owner")
        if not (isinstance(lines, list) and all(isinstance(x, str) for x in lines)):
            raise ValueError(lines)
        if not (isinstance(env, dict) and all(isinstance(v, str) for v in env.values())):
            raise ValueError(env)
        if kind not in ("check", "record") or (kind == "record" and type(owner) is not int):
            raise ValueError(kind, owner)
    except (OSError, ValueError, KeyError, TypeError):
        return True  # not a request: no answer, the hook does its work on its own
    if message.get("key") != key:
        with contextlib.suppress(OSError):
            conn.sendall(b'{"event": "stale"}\n')
        return False
    if not confined(git_dir, env):
        return True
    sys.stdout.flush()
    sys.stderr.flush()
    if os.fork() == 0:
        if kind == "record":
            _record_child(conn, git_dir, lines, env, owner)
        _child(conn, git_dir, lines, env)
    return True


def confined(git_dir: Path, env: dict[str, str]) -> bool:
    """Whether the push's object folders are this repository's: its quarantine folder (a
    direct ``tmp_objdir-incoming-*`` child of ``objects``) and ``objects`` itself as the
    alternate. Missing ones mean no quarantine (Git's own reading then)."""
    objects = (git_dir / "objects").resolve()

    def quarantine(value: str) -> bool:
        path = Path(value).resolve()
        return path.parent == objects and path.name.startswith("tmp_objdir-incoming-")

    for name in ("GIT_OBJECT_DIRECTORY", "GIT_QUARANTINE_PATH"):
        if name in env and not quarantine(env[name]):
            return False
    alternates = env.get("GIT_ALTERNATE_OBJECT_DIRECTORIES")
    if alternates is not None:
        return all(Path(a).resolve() == objects for a in alternates.split(os.pathsep))
    return True


def _as_the_hook(git_dir: Path, env: dict[str, str]) -> None:
    """This fork's folder and environment as Git gives them to the push's hook."""
    os.chdir(git_dir)
    for name in [k for k in os.environ if k.startswith("TERBIT_") or k in QUARANTINE]:
        del os.environ[name]
    os.environ.update({k: v for k, v in env.items() if k.startswith("TERBIT_") or k in QUARANTINE})


class _Lines(io.TextIOBase):
    """What ``post-receive``'s work writes to the pusher, sent line by line as events."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn, self.buffer = conn, ""

    def write(self, text: str) -> int:
        self.buffer += text
        *lines, self.buffer = self.buffer.split("\n")
        for line in lines:
            self.send({"event": "line", "text": line})
        return len(text)

    def send(self, event: dict[str, Any]) -> None:
        self.conn.sendall(json.dumps(event).encode() + b"\n")


def _record_child(
    conn: socket.socket, git_dir: Path, lines: list[str], env: dict[str, str], owner: int
) -> None:
    """``post-receive``'s work for the push of ``owner``, in its own process."""
    code = 1
    try:
        _as_the_hook(git_dir, {k: v for k, v in env.items() if k.startswith("TERBIT_")})
        # The hooks import this module for ``request`` only, so these stay here; their
        # start-up: loaded by ``serve`` (PRELOAD) before the fork.
        from pipeline.hooks import merged
        from pipeline.vcs import Repo

        conn.settimeout(None)
        out = _Lines(conn)
        out.send({"event": "accepted"})
        sys.stderr = out
        merged.post_receive(Repo(git_dir), lines, owner)
        if out.buffer:
            out.write("\n")
        out.send({"event": "end"})
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc(file=sys.__stderr__)
    finally:
        os._exit(code)


def _child(conn: socket.socket, git_dir: Path, lines: list[str], env: dict[str, str]) -> None:
    """One check, in its own process with the push's environment, as the hook runs it."""
    code = 1
    try:
        _as_the_hook(git_dir, env)
        # start-up: loaded by ``serve`` (PRELOAD) before the fork, as above.
        from pipeline.hooks import push_check
        from pipeline.vcs import Repo

        out = io.StringIO()
        verdict = push_check.check(Repo(git_dir), lines, out)
        answer = {"event": "verdict", "code": verdict, "text": out.getvalue()}
        conn.settimeout(30)
        conn.sendall(json.dumps(answer).encode() + b"\n")
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def main(*, of_service: bool = False) -> None:
    """The check server of the working folder, ending with the process that started it; a
    stale one stops that process too when it is the publication service (``of_service``)."""
    serve(Path.cwd(), os.getppid(), stop_parent=of_service)
