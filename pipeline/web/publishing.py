"""Following a merged change's publication in the browser, and the Admin Website's two actions
on it: retry (``terbit publish MERGE --resume``) and roll back (``terbit rollback``).

Everything shown is read from what publishing itself wrote: the stage state file in the server
repository (``.terbit/publish/<merge>.json``), the completion record on ``main`` and the deploy
target's releases. Nothing here publishes by itself.
"""

from __future__ import annotations

import fcntl
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.clock import now
from pipeline.deploy import open_target
from pipeline.errors import InputError, StaleError
from pipeline.evidence.schedule import held_until
from pipeline.gate.messages import when
from pipeline.i18n import Catalog
from pipeline.publication.priority import low_priority
from pipeline.publication.state import UNFINISHED, State, state_root
from pipeline.record.assemble import PDF_NAME
from pipeline.record.model import record_id
from pipeline.record.store import existing_record
from pipeline.web.office import CHANGE_ID, Office

MSG = Catalog(
    {
        "not_merged": (
            "perubahan #{id} belum digabung; belum ada publikasi",
            "change #{id} is not merged; there is no publication yet",
        ),
        "running": (
            "publikasi perubahan #{id} sedang berjalan; tunggu sampai selesai",
            "the publication of change #{id} is running; wait until it ends",
        ),
        "complete": (
            "publikasi perubahan #{id} sudah lengkap; tidak ada yang perlu diulang",
            "the publication of change #{id} is complete; there is nothing to retry",
        ),
        "no_release": (
            "tidak ada rilis sebelumnya untuk dikembalikan",
            "there is no earlier release to go back to",
        ),
        "unknown_release": ("rilis {id} tidak ada", "release {id} does not exist"),
    }
)

# The stages in the order publishing runs them (pipeline.publication.run).
STAGES = ("prepare", "build", "deploy", "verify", "screenshots", "visitor", "notice", "record")
SHOT_FILE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,120}\.(?:png|webp)$")
RELEASE_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,80}$")
LOG_FILE = "terbit/publish.log"
START_GRACE_S = 120
# What ends a publication's polling: its record, or a hold until its drafts' publish_at.
FINISHED = ("complete", "incomplete", "failed", "scheduled")


@dataclass(frozen=True)
class Stage:
    name: str
    state: str  # done / running / waiting / problem


@dataclass(frozen=True)
class Live:
    url: str
    status: int


@dataclass
class PublicationView:
    """What the change page shows of a merged change's publication."""

    merge: str
    status: str  # waiting / running / complete / incomplete / failed / stopped / scheduled / due
    stages: list[Stage]
    attempts: int
    record_folder: str = ""  # the folder name under records/ once the record is on main
    has_pdf: bool = False
    reasons: list[str] = field(default_factory=list)
    live: list[Live] = field(default_factory=list)
    screenshots: list[tuple[str, str]] = field(default_factory=list)  # (file, view)
    release: str = ""  # the live release now
    previous: str = ""  # the release a rollback goes back to
    may_retry: bool = False
    scheduled_at: str = ""  # office time the held drafts go live (status scheduled / due)

    @property
    def finished(self) -> bool:
        # A scheduled publication waits for its time, not for a running process: not polled.
        return self.status in FINISHED


def _merged(office: Office, change_id: str) -> tuple[str, str, datetime | None]:
    """(merge sha, record folder, when merged) of a merged change."""
    if not CHANGE_ID.match(change_id):
        raise InputError(MSG("not_merged", id=change_id[:12]))
    change = office.forge().get_change(change_id)
    if change.state != "merged" or not change.merge_sha:
        raise InputError(MSG("not_merged", id=change_id))
    return change.merge_sha, record_id(change.id, change.merge_sha), change.merged_at


def is_running(office: Office, merge: str) -> bool:
    """A publication of ``merge`` holds the publication lock now (its marker says which)."""
    root = state_root(office.repo)
    if not (root / UNFINISHED / merge).exists() or not (root / "lock").exists():
        return False
    with (root / "lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def publication(office: Office, change_id: str) -> PublicationView:
    """The publication of a merged change as far as it has gone."""
    merge, rid, merged_at = _merged(office, change_id)
    settings = office.policy().settings
    state = State(state_root(office.repo) / f"{merge}.json", merge)
    running = is_running(office, merge)
    base = settings.publish.records_path.strip("/")
    record = existing_record(office.repo, "refs/heads/main", f"{base}/{rid}")
    status = str(record.get("status")) if record else ("running" if running else "waiting")
    # A merge whose drafts' publish_at was ahead: its own publication deployed the site
    # without them and stopped on purpose; the scheduler publishes them (``due``).
    held = held_until(office.repo, merge, settings) if status == "waiting" else None
    if held is not None:
        status = "scheduled" if held > now() else "due"
    if status == "waiting" and state.attempts > 0:
        status = "stopped"  # started, and died before its record (a kill, a crash)
    if status not in (*FINISHED, "running", "waiting", "stopped", "due"):
        status = "incomplete"  # a status Terbit never writes is not a success
    stages = []
    current = True
    for name in STAGES:
        done = state.done(name)
        if done is not None or (record is not None and name == "record"):
            problems = done.get("problems") if isinstance(done, dict) else None
            stages.append(Stage(name, "problem" if problems else "done"))
        elif running and current:
            stages.append(Stage(name, "running"))
            current = False
        else:
            stages.append(Stage(name, "waiting"))
    release, previous = ("", "") if running else _releases(office)
    view = PublicationView(
        merge=merge, status=status, stages=stages, attempts=state.attempts,
        release=release, previous=previous, scheduled_at=when(held) if held else "",
    )  # fmt: skip
    if record is not None:
        view.record_folder = rid
        view.has_pdf = (
            office.repo.show_bytes("refs/heads/main", f"{base}/{rid}/{PDF_NAME}") is not None
        )
        view.reasons = [str(r) for r in record.get("reasons") or []]
        view.live = [_live(c) for c in record.get("live") or [] if isinstance(c, dict)]
        view.screenshots = [
            (str(s["file"]), str(s.get("view", "")))
            for s in record.get("screenshots") or []
            if isinstance(s, dict) and SHOT_FILE.match(str(s.get("file", "")))
        ]
    # Not before the hook's publisher had its chance to start (it is detached, a second away).
    forgotten = status == "waiting" and (
        merged_at is None or (now() - merged_at).total_seconds() > START_GRACE_S
    )
    view.may_retry = not running and (status in ("incomplete", "failed", "stopped") or forgotten)
    return view


def _releases(office: Office) -> tuple[str, str]:
    """(live release, the one before it) on the deploy target; asked only when no publication
    runs, as a remote target answers over SSH."""
    target = open_target(office.server, office.policy().settings)
    live = target.current()
    kept = [r.id for r in target.releases()]
    if live is None or live.id not in kept:
        return (live.id if live else ""), ""
    at = kept.index(live.id)
    return live.id, kept[at - 1] if at > 0 else ""


def _live(check: dict[str, Any]) -> Live:
    status = check.get("status")
    url = str(check.get("url", ""))
    # A link only to a web page: the record is the server's, but a page never links elsewhere.
    return Live(
        url if url.startswith(("http://", "https://")) else "",
        status if isinstance(status, int) else 0,
    )


def screenshot(office: Office, folder: str, name: str) -> bytes | None:
    """A screenshot the record on main lists, as committed; None for anything else."""
    if not SHOT_FILE.match(name) or not re.match(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,120}$", folder):
        return None
    base = office.policy().settings.publish.records_path.strip("/")
    record = existing_record(office.repo, "refs/heads/main", f"{base}/{folder}")
    listed = {str(s.get("file")) for s in (record or {}).get("screenshots") or []
              if isinstance(s, dict)}  # fmt: skip
    if name not in listed:
        return None
    return office.repo.show_bytes("refs/heads/main", f"{base}/{folder}/{name}")


def retry(office: Office, change_id: str) -> subprocess.Popen[bytes]:
    """Start ``terbit publish MERGE --resume`` on the server repository, detached, its output
    in the server's publish log (the same command a person runs after fixing the cause)."""
    view = publication(office, change_id)
    if view.status == "running":
        raise StaleError(MSG("running", id=change_id))
    if view.status == "complete":
        raise StaleError(MSG("complete", id=change_id))
    return detached(office, ["publish", view.merge, "--resume", "--repo", str(office.server)])


def detached(
    office: Office, args: list[str], *, background: bool = False
) -> subprocess.Popen[bytes]:
    """``terbit ARGS`` on the server repository, detached, its output in the server's log;
    ``background`` work (a page check, never a publication) at a lower priority."""
    log = office.server / LOG_FILE
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "pipeline", *args]
    with log.open("ab") as out:
        return subprocess.Popen(
            low_priority(argv) if background else argv, cwd=office.server, stdout=out,
            stderr=out, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip


def rollback(office: Office, release: str) -> tuple[str, str]:
    """Make ``release`` live again (``terbit rollback RELEASE``); (now live, was live)."""
    target = open_target(office.server, office.policy().settings)
    live = target.current()
    kept = {r.id for r in target.releases()}
    if not release:
        raise InputError(MSG("no_release"))
    if not RELEASE_ID.match(release) or release not in kept:
        raise InputError(MSG("unknown_release", id=release[:80]))
    chosen = target.rollback(release)
    return chosen.id, live.id if live else "-"
