"""The publication's state file is a versioned model: what it does not recognise, it never trusts
(every stage is idempotent, so starting over is safe; resuming from a wrong file is not)."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.publication.state import STATE_VERSION, State

MERGE = "a" * 40


def _write(path: Path, doc: dict[str, object]) -> None:
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_the_state_file_names_its_version_and_its_merge(tmp_path: Path) -> None:
    path = tmp_path / f"{MERGE}.json"
    state = State(path, MERGE)
    state.started()
    state.save("build", {"site": "/srv/site", "commit": MERGE})
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["version"] == STATE_VERSION and doc["merge"] == MERGE and doc["attempts"] == 1
    assert State(path, MERGE).done("build") == {"site": "/srv/site", "commit": MERGE}


def test_a_state_file_of_another_version_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / f"{MERGE}.json"
    _write(path, {"version": STATE_VERSION + 1, "merge": MERGE, "attempts": 2,
                  "stages": {"record": {"status": "complete"}}})  # fmt: skip
    state = State(path, MERGE)
    assert state.done("record") is None and state.attempts == 0


def test_a_state_file_of_another_merge_or_hand_edited_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / f"{MERGE}.json"
    _write(path, {"version": STATE_VERSION, "merge": "b" * 40,
                  "stages": {"deploy": {"release": "r1"}}})  # fmt: skip
    assert State(path, MERGE).done("deploy") is None
    _write(path, {"version": STATE_VERSION, "merge": MERGE, "attempts": "many",
                  "stages": {"deploy": {"release": "r1"}}})  # fmt: skip
    assert State(path, MERGE).done("deploy") is None
    path.write_text("{not json", encoding="utf-8")
    assert State(path, MERGE).done("deploy") is None
