"""A completion record shaped like a publication's, for the record's own tests."""

from __future__ import annotations

from typing import Any

from pipeline.record.model import Record, digest, record_id

TZ = "Asia/Jakarta"


def sample(merge: str = "a" * 40, status: str = "complete") -> dict[str, Any]:
    """The data of ``record.yml`` (a hand-edited ``status`` is allowed: it is just data)."""
    person = {"id": "sari", "name": "Sari Wahyuni Lubis, S.K.M.", "nip": "198505212010122003",
              "role": "katimker_lpzi", "role_title": "Katimker LP dan ZI"}  # fmt: skip
    steps = []
    for number, (minutes, elapsed) in enumerate([(60, 30), (30, 55), (60, 10)], start=1):
        steps.append(
            {
                "number": number, "kegiatan": f"Kegiatan {number}", "pelaksana": person,
                "kelengkapan": "Nota dinas", "output": "Dokumen final", "state": "done",
                "started_at": "2026-11-27T01:00:00+00:00", "ended_at": "2026-11-27T02:00:00+00:00",
                "elapsed_minutes": elapsed, "standard_minutes": minutes,
                "over_minutes": max(0, elapsed - minutes),
                "keterangan": "sesuai mutu baku" if elapsed <= minutes
                else f"melebihi mutu baku {elapsed - minutes} menit",
                "evidence": {},
            }
        )  # fmt: skip
    signer = {"id": "dewi", "name": "Dewi Anggraini Tarigan, A.Md.Kom.",
              "nip": "199607302022032001", "jabatan": "Pranata Komputer",
              "role_title": "Admin Website"}  # fmt: skip
    record = {
        "format": "terbit-record/1", "id": record_id("7", merge), "status": status,
        "reasons": [] if status == "complete" else ["tangkapan layar: gambar tidak termuat"],
        "pekerjaan": "Publikasi Informasi ke Situs Website", "judul": "Vaksinasi | Jemaah",
        "sop": {"nama": "Publikasi Informasi", "nomor": "OT.02.02/C.IX.4/206/2025"},
        "nota_dinas": {"nomor": "ND-12/LPZI/XI/2026", "tanggal": "2026-11-26", "hal": "x",
                       "dari": "Rina", "yth": "Kepala", "sifat": "biasa", "lampiran": []},
        "change": {"id": "7", "title": "Vaksinasi", "url": None, "author": {**person,
                   "id": "rina", "name": "Rina", "role": "staf", "role_title": "Staf"},
                   "head": merge, "opened_at": "2026-11-27T01:00:00+00:00",
                   "merged_at": "2026-11-28T01:00:00+00:00", "merged_by": "dewi",
                   "commits": [], "reviews": []},
        "merge_commit": merge,
        "deploy": {"target": "local", "release": "r1", "previous": None, "at": None},
        "articles": [{"path": "content/articles/v.md", "status": "A", "title": "Vaksinasi",
                      "url": "http://127.0.0.1:8000/artikel/v/"}],
        "live": [], "screenshots": [],
        "notice": {"at": None, "recorded": True, "emailed_to": None}, "steps": steps,
        "total": {"elapsed_minutes": 95, "standard_minutes": 150},
        "tempat_tanggal": "Medan, 28 November 2026", "created_at": None,
        "yang_menyelesaikan": signer, "mengetahui": {**signer, "role_title": "Kepala Satker"},
    }  # fmt: skip
    record["digest"] = digest(record)
    return record


def as_record(data: dict[str, Any]) -> Record:
    """The record ``data`` holds, as the renderers take it."""
    return Record.model_validate(data)
