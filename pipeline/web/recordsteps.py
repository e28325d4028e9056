"""The SOP steps of a merged change as its completion record states them.

Once a change is merged the gate can only say that steps 6–8 are still to come; what happened
is in the record (the official document), so the change page shows those rows from it: who,
when, the state (a failed publication as failed) and the record's own note. The record is
read as committed on main, unvalidated, so a field of the wrong kind is left out, never
guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

# The states a record writes for a step (pipeline.record.model.StepState).
STATES = frozenset({"done", "pending", "refused", "failed", "deferred"})


def _moment(value: object) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else None  # a naive time could be hours off


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def recorded_steps(record: Mapping[str, Any] | None) -> dict[int, dict[str, Any]]:
    """Step number → the step row's fields the record states (``state``, ``by``, ``at``,
    ``elapsed``, ``standard``, ``over``, ``note``, ``author_minutes``), for the steps it has."""
    steps = record.get("steps") if record else None
    found: dict[int, dict[str, Any]] = {}
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict) or _count(step.get("number")) is None:
            continue
        state = step.get("state")
        if state not in STATES:
            continue
        person = step.get("pelaksana")
        name = person.get("name") if isinstance(person, dict) else None
        fields: dict[str, Any] = {
            "state": state,
            "by": name if isinstance(name, str) else "",
            "at": _moment(step.get("ended_at")) or _moment(step.get("started_at")),
            "elapsed": _count(step.get("elapsed_minutes")),
            "over": _count(step.get("over_minutes")) or 0,
            "author_minutes": _count(step.get("perbaikan_staf_minutes")) or 0,
            "note": str(step.get("keterangan") or ""),
            "reason": "",
            "running": False,
        }
        standard = _count(step.get("standard_minutes"))
        if standard is not None:
            fields["standard"] = standard
        found[step["number"]] = fields
    return found
