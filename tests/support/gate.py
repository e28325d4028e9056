"""Builders for changes the gate judges: the shipped SOP and roles files, Change objects."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pipeline.change.model import Change, CommitInfo, Push, Review

ROOT = Path(__file__).resolve().parents[2]
WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 28, 8, 0, tzinfo=WIB)

NOTA = """```yaml
nomor: ND-12/LPZI/XI/2026
yth: Kepala Balai Besar Kekarantinaan Kesehatan Medan
dari: Staf Tim Kerja Layanan Publik
hal: Permohonan Publikasi Informasi Pemeriksaan Jemaah Haji
tanggal: 2026-11-28
sifat: Segera
lampiran: [Draf artikel, Foto kegiatan]
```

Dengan hormat, mohon informasi terlampir dipublikasikan di situs web.
"""


C_HEAD = "c2" * 20


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def commit(
    sha: str, minutes: float, email: str = "rina.siregar@bbkkmedan.go.id", signer: str | None = None
) -> CommitInfo:
    return CommitInfo(sha=sha, author_name="x", author_email=email, authored_at=at(minutes),
                      committed_at=at(minutes), message="draf", signer=signer)  # fmt: skip


def review(reviewer: str, state: str, sha: str, minutes: float, **extra: object) -> Review:
    fields: dict = {"signature_ok": True, "body": ""}
    fields.update(extra)
    return Review(id=f"r-{reviewer}-{minutes}", reviewer=reviewer, state=state,  # type: ignore[arg-type]
                  commit=sha, at=at(minutes), **fields)  # fmt: skip


def demo_change() -> Change:
    """The demo's happy path: Katimker asks for a fix, then 3 → 4 → 5 on the final commit."""
    return Change(
        id="12",
        title="Pemeriksaan Jemaah Haji",
        author="rina",
        author_login="rina.siregar@bbkkmedan.go.id",
        base="main",
        base_sha="b" * 40,
        head_sha="c2" * 20,
        opened_at=at(80),
        commits=[commit("c1" * 20, 0), commit("c2" * 20, 150)],
        reviews=[
            review("sari", "request_changes", "c1" * 20, 120, body="Perbaiki judul"),
            review("sari", "approve", "c2" * 20, 160),
            review("andi", "approve", "c2" * 20, 165),
            review("sari", "approve", "c2" * 20, 180),
        ],
        pushes=[Push(head="c1" * 20, at=at(50), by="rina"), Push(head="c2" * 20, at=at(150))],
        files=["content/articles/jemaah-haji.md"],
        nota_dinas_text=NOTA,
    )


def change_on(day: datetime, disposer: str = "budi"):
    """The demo change moved to ``day`` (08:00 WIB); ``disposer`` gives the disposition."""
    base = demo_change()
    shift = day - base.commits[0].authored_at
    commits = [replace(c, authored_at=c.authored_at + shift, committed_at=c.committed_at + shift)
               for c in base.commits]  # fmt: skip
    reviews = [replace(r, at=r.at + shift) for r in base.reviews]
    reviews[2] = replace(reviews[2], reviewer=disposer, id="r-disposition")
    pushes = [replace(p, at=p.at + shift) for p in base.pushes]
    return replace(base, opened_at=base.opened_at + shift, commits=commits, reviews=reviews,
                   pushes=pushes)  # fmt: skip
