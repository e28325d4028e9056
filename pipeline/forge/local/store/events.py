"""Events of a change as stored in its metadata chain (``refs/terbit/changes/<id>/meta``).

Each event is one commit whose tree holds ``event.json`` (canonical JSON, so the bytes that were
signed are the bytes that are stored) and ``event.sig`` (an ``ssh-keygen -Y sign`` signature of
those bytes). The event names its change and the meta commit before it (``prev``), so a signed
event cannot be replayed onto another change or into another place in the chain.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.i18n import Catalog

VERSION = 1
NAMESPACE = "terbit-review"
REF_PREFIX = "refs/terbit/changes/"
EVENT_FILE = "event.json"
SIG_FILE = "event.sig"
ATTACH_DIR = "attachments"
CHANGE_TRAILER = "Terbit-Change"

# Event types a person may push. "merged" is written by the server only; "notice" (step 7) by
# the server, or pushed by a member of the role that performs step 7.
# "attach" carries the SOP's data dukung (supporting documents) as blobs beside the event.
# "check" (the review-time page check of a head commit) is the server's alone, and counts only
# with the server key's signature.
CLIENT_TYPES = frozenset({"opened", "push", "review", "closed", "attach"})
# Which records may hold files beside the event (the notice's screenshots, the data dukung).
FILE_TYPES = frozenset({"notice", "attach"})
REVIEW_STATES = frozenset({"approve", "request_changes", "comment"})
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
ID_RE = re.compile(r"^[1-9][0-9]{0,8}$")
REF_RE = re.compile(r"^refs/terbit/changes/([1-9][0-9]{0,8})/(head|meta)$")

MSG = Catalog(
    {
        "bad_json": ("catatan bukan JSON yang sah", "the record is not valid JSON"),
        "field": (
            "kolom '{field}' hilang atau salah bentuk",
            "field '{field}' is missing or malformed",
        ),
        "type": ("jenis catatan '{type}' tidak dikenal", "unknown record type '{type}'"),
        "state": ("status ulasan '{state}' tidak dikenal", "unknown review state '{state}'"),
    }
)


class EventError(ValueError):
    """An event that does not have the stored shape."""


def meta_ref(change_id: str) -> str:
    return f"{REF_PREFIX}{change_id}/meta"


def head_ref(change_id: str) -> str:
    return f"{REF_PREFIX}{change_id}/head"


def iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True)
class Event:
    type: str
    change: str
    by: str
    at: datetime
    prev: str | None
    data: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        doc = {
            "v": VERSION,
            "type": self.type,
            "change": self.change,
            "by": self.by,
            "at": iso(self.at),
            "prev": self.prev,
            **self.data,
        }
        return json.dumps(doc, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def _need(doc: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = doc.get(key)
    if not isinstance(value, kind):
        raise EventError(MSG("field", field=key))
    return value


def _sha(doc: dict[str, Any], key: str, *, optional: bool = False) -> str | None:
    value = doc.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not SHA_RE.match(value):
        raise EventError(MSG("field", field=key))
    return value


def parse_event(raw: bytes) -> Event:
    """Decode and check one stored event; raise EventError saying what is wrong."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise EventError(MSG("bad_json")) from None
    if not isinstance(doc, dict) or doc.get("v") != VERSION:
        raise EventError(MSG("field", field="v"))
    kind = _need(doc, "type", str)
    change = _need(doc, "change", str)
    if not ID_RE.match(change):
        raise EventError(MSG("field", field="change"))
    by = _need(doc, "by", str)
    try:
        at = parse_time(_need(doc, "at", str))
    except ValueError:
        raise EventError(MSG("field", field="at")) from None
    prev = _sha(doc, "prev", optional=True)
    data = {k: v for k, v in doc.items() if k not in {"v", "type", "change", "by", "at", "prev"}}
    if kind == "opened":
        _need(doc, "title", str)
        _need(doc, "nota_dinas", str)
        _need(doc, "base", str)
        _sha(doc, "base_sha")
        _sha(doc, "head")
    elif kind == "push":
        _sha(doc, "head")
        _sha(doc, "old", optional=True)
        _need(doc, "forced", bool)
    elif kind == "review":
        state = _need(doc, "state", str)
        if state not in REVIEW_STATES:
            raise EventError(MSG("state", state=state))
        _sha(doc, "commit")
        _need(doc, "body", str)
    elif kind == "notice":
        _need(doc, "text", str)
        _need(doc, "attachments", list)
    elif kind == "attach":
        files = _need(doc, "files", list)
        if not files:
            raise EventError(MSG("field", field="files"))
        for item in files:
            if not isinstance(item, dict) or set(item) != {"name", "type", "size", "sha256"}:
                raise EventError(MSG("field", field="files"))
            _need(item, "name", str)
            _need(item, "type", str)
            if not isinstance(item.get("size"), int) or isinstance(item.get("size"), bool):
                raise EventError(MSG("field", field="size"))
            if not re.fullmatch(r"[0-9a-f]{64}", str(item.get("sha256"))):
                raise EventError(MSG("field", field="sha256"))
    elif kind == "merged":
        _sha(doc, "merge_sha")
    elif kind == "check":
        _sha(doc, "head")
        _sha(doc, "main")
        _need(doc, "tools", dict)
        for key in ("pages", "problems"):
            if not all(isinstance(x, str) for x in _need(doc, key, list)):
                raise EventError(MSG("field", field=key))
        for key in ("new", "known"):
            for item in _need(doc, key, list):
                if not isinstance(item, dict) or not all(
                    isinstance(item.get(k), str) for k in ("page", "rule", "target")
                ):
                    raise EventError(MSG("field", field=key))
    elif kind == "closed":
        if not _need(doc, "reason", str).strip():
            raise EventError(MSG("field", field="reason"))
    else:
        raise EventError(MSG("type", type=kind))
    return Event(type=kind, change=change, by=by, at=at, prev=prev, data=data)
