"""The state file of one publication and what a publication reports.

Each stage writes what it did to ``.terbit/publish/<merge>.json`` (replaced atomically) and is
idempotent, so ``terbit publish --resume`` continues a publication that was killed anywhere. The
file is a versioned model: a file of another version, or one that does not parse, starts the
publication over (every stage is idempotent) instead of being trusted.
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.vcs import Repo

STATE_DIR = ".terbit/publish"
UNFINISHED = "unfinished"  # one empty file per publication that has started and not ended
STATE_VERSION = 1
# A crash that comes back on every attempt (a bug, a draft that kills the build) must not be
# re-run by every later push forever: after this many, a person looks at it.
MAX_ATTEMPTS = 3

# "scheduled": built and deployed without its drafts, which go live at their publish_at.
Status = Literal["complete", "incomplete", "failed", "skipped", "scheduled"]


@dataclass
class PublishResult:
    """What one publication did: its status, where the site and the record went, the problems."""

    merge_sha: str
    change_id: str | None
    status: Status
    release: str | None = None
    urls: list[str] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)
    record_folder: str | None = None
    record_commit: str | None = None
    problems: list[str] = field(default_factory=list)
    state_file: str | None = None
    scheduled_at: str | None = None  # a scheduled publication: when its drafts are due
    late_minutes: int = 0  # published that long after its scheduled time (a missed round)


class PublishState(BaseModel):
    """The content of a state file. A stage's result is its own JSON (``stages``); the notes
    are decisions taken before acting on them (the release id before uploading)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1  # STATE_VERSION
    merge: str
    attempts: int = Field(default=0, ge=0)
    stages: dict[str, dict[str, Any]] = Field(default_factory=dict)
    notes: dict[str, Any] = Field(default_factory=dict)


_WRITING = threading.RLock()


def state_root(repo: Repo) -> Path:
    """Where publishing keeps its work: the work tree, or the bare repository itself."""
    return (repo.work_tree or repo.git_dir) / STATE_DIR


class State:
    """The state file of one publication; every save is an atomic replace."""

    def __init__(self, path: Path, merge_sha: str) -> None:
        self.path = path
        self.model = PublishState(merge=merge_sha)
        if path.is_file():
            # A torn file cannot happen with os.replace, but never trust it blindly.
            try:
                found = PublishState.model_validate_json(path.read_bytes())
            except ValidationError:
                found = None
            if found is not None and found.merge == merge_sha:
                self.model = found

    @property
    def attempts(self) -> int:
        """How many times this publication has started."""
        return self.model.attempts

    def started(self, earlier: int = 0) -> None:
        """Count one more attempt (a crash that keeps coming back is given up on); ``earlier``:
        the attempts of a state file that was dropped to start over."""
        self.model.attempts += 1 + earlier
        self.write()

    def done(self, stage: str) -> dict[str, Any] | None:
        """The result ``stage`` saved, or None when it has not finished."""
        return self.model.stages.get(stage)

    def checkpoint(self, point: str) -> None:
        """A named point inside a stage where tests may kill the process."""
        _fault(point)

    def save(self, stage: str, value: dict[str, Any]) -> None:
        _fault(stage)
        with _WRITING:
            self.model.stages[stage] = value
            self.write()

    def forget(self, *stages: str) -> None:
        """Drop stage results so the next run does them again (after a failure)."""
        for stage in stages:
            self.model.stages.pop(stage, None)
        self.write()

    def note(self, key: str, value: Any) -> None:
        """Remember a decision before acting on it (e.g. the release id before uploading)."""
        self.model.notes[key] = value
        self.write()

    def recall(self, key: str) -> Any:
        """A decision remembered by ``note``, if any."""
        return self.model.notes.get(key)

    def write(self) -> None:
        # The screenshots and the page check may save at the same time (the publication
        # service runs them on two threads): one write at a time, each of the whole model.
        with _WRITING:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")
            with temp.open("w", encoding="utf-8") as handle:
                handle.write(self.model.model_dump_json(indent=1))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)


def _fault(stage: str) -> None:
    """Fault injection for tests: die at a stage boundary (work done, state not yet saved)."""
    if os.environ.get("TERBIT_FAULT_STAGE") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def unfinished(repo: Repo) -> list[str]:
    """Merges whose publication was killed before it finished, oldest first."""
    folder = state_root(repo) / UNFINISHED
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if len(p.name) in (40, 64) and p.name.isalnum()]
    return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime)]
