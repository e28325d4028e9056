"""Records built from fixed inputs, whose files are kept under ``tests/record/golden/``.

The files were written by the dict-literal record builder the typed model replaced: the model
must write the same bytes (and so the same digest) for the same publication.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pipeline.config.roles import load_roles
from pipeline.config.sop import load_sop
from pipeline.evidence.articles import ArticleFact
from pipeline.gate import ProofEvent, evaluate
from pipeline.record.model import PublishFacts, ShotFact
from tests.support.gate import ROOT, WIB, change_on, demo_change

ACTING = """acting:
  - person: budi
    role: kepala_satker
    kind: Plh
    from: 2026-12-07
    to: 2026-12-11
    nomor: SPT-45/C.IX/XII/2026
"""

CASES = ("complete", "acting", "failed", "no_disposition")


def inputs(case: str) -> dict[str, Any]:
    """The keyword arguments of the record builder for one publication."""
    roles_text = (ROOT / "roles.yml").read_text(encoding="utf-8")
    if case in ("acting", "no_disposition"):
        roles_text += ACTING
    roles = load_roles(roles_text)
    sop = load_sop((ROOT / "sop.yml").read_text(encoding="utf-8"), known_roles=roles.titles)
    if case == "acting":
        change = change_on(datetime(2026, 12, 7, 8, 0, tzinfo=WIB))
    elif case == "no_disposition":
        change = change_on(datetime(2026, 12, 4, 8, 0, tzinfo=WIB))
    else:
        change = demo_change()
    merged = max(r.at for r in change.reviews).astimezone(UTC).replace(microsecond=0)
    change = replace(change, merged_by="dewi", merge_sha="d" * 40, url="http://127.0.0.1:9/c/12")
    deployed = merged.replace(minute=(merged.minute + 3) % 60)
    articles = [
        ArticleFact("content/artikel/haji.md", "A", "Pemeriksaan Jemaah Haji",
                    "http://127.0.0.1:8000/artikel/haji/"),
        ArticleFact("content/artikel/lama.md", "D", "Berita Lama", None,
                    "http://127.0.0.1:8000/artikel/lama/"),
    ]  # fmt: skip
    failed = case == "failed"
    facts = PublishFacts(
        merge_sha="d" * 40, merged_at=merged, target="local",
        release=None if failed else "20261128-0115-dddddddddd",
        deployed_at=None if failed else deployed, previous_release="20261127-0900-cccccccccc",
        articles=articles,
        live=[] if failed else [
            {"url": "http://127.0.0.1:8000/artikel/haji/", "status": 200, "attempts": 1},
            {"url": "http://127.0.0.1:8000/artikel/lama/", "status": 404, "attempts": 2},
        ],
        screenshots=[] if failed else [
            ShotFact("haji-desktop.png", "desktop", "http://127.0.0.1:8000/artikel/haji/", 1366,
                     2000, 120_000, "e" * 64),
            ShotFact("haji-mobile.png", "mobile", "http://127.0.0.1:8000/artikel/haji/", 390,
                     3000, 90_000, "f" * 64),
        ],
        notice_at=None if failed else deployed, notice_recorded=not failed,
        emailed_to=None if failed else "rina.siregar@bbkkmedan.go.id",
        email_state=None if failed else "sent",
        failure="unggah gagal: disk penuh" if failed else None,
    )  # fmt: skip
    events = {"merge": ProofEvent(at=merged, by="dewi")}
    if not failed:
        events["deploy"] = ProofEvent(at=deployed, by="dewi")
        events["notice"] = ProofEvent(at=deployed, by="dewi")
        events["record"] = ProofEvent(at=deployed, by="dewi")
    report = evaluate(change, sop=sop, roles=roles, now=deployed, events=events)
    return {
        "change": change, "report": report, "sop": sop, "roles": roles, "facts": facts,
        "admin": "dewi", "place": "Medan", "timezone": "Asia/Jakarta", "now": deployed,
        "number_pattern": "" if case == "no_disposition" else "LPP-{change}/LPZI/{roman}/{year}",
    }  # fmt: skip
