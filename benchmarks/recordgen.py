"""Synthetic completion records in a real Git repository, for the compliance report's tests
and benchmark.

Each record is shaped like the ones publishing writes (``terbit-record/1``, digest included)
and names a commit that is really on ``main``, so ``terbit verify`` passes on them; a test can
then damage one byte to see verification fail.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from pipeline.publication.server_key import create_server_key, private_key_for
from pipeline.record.model import FORMAT, digest, dump
from pipeline.record.store import commit_message, commit_record
from pipeline.vcs import Repo

WIB = timezone(timedelta(hours=7))
# The seed SOP's steps: (number, kegiatan, role, role title, standard minutes, person).
STEPS = (
    (1, "Mempersiapkan konsep", "staf", "Staf Tim Kerja", 60, "rina"),
    (2, "Membuat nota dinas", "staf", "Staf Tim Kerja", 30, "rina"),
    (3, "Memeriksa draf", "katimker_lpzi", "Katimker Layanan Publik dan Zona Integritas", 60,
     "sari"),
    (4, "Mendisposisikan nota dinas", "kepala_satker", "Kepala Satker", 10, "andi"),
    (5, "Memeriksa dokumen", "katimker_lpzi", "Katimker Layanan Publik dan Zona Integritas", 60,
     "sari"),
    (6, "Mengunggah informasi", "admin_website", "Admin Website", 30, "dewi"),
    (7, "Menginformasikan kepada staf", "admin_website", "Admin Website", 15, "dewi"),
    (8, "Melaporkan hasil pekerjaan", "admin_website", "Admin Website", 15, "dewi"),
)  # fmt: skip
NAMES = {
    "rina": ("Rina Marlina Siregar, S.Kom.", "199403122020122002"),
    "budi": ("Budi Santoso Nasution, S.K.M.", "199108072019031001"),
    "sari": ("Sari Wahyuni Lubis, S.K.M., M.Kes.", "198505212010122003"),
    "andi": ("dr. Andi Pratama Harahap, M.K.M.", "197602142005011002"),
    "dewi": ("Dewi Anggraini Tarigan, A.Md.Kom.", "199607302022032001"),
}
DEFAULT_MINUTES = {1: 20, 2: 10, 3: 40, 4: 8, 5: 15, 6: 5, 7: 3, 8: 2}


@dataclass
class Spec:
    """One publication: its day and what its steps took."""

    day: date
    minutes: dict[int, int] = field(default_factory=dict)  # step -> working minutes
    author_fix: dict[int, int] = field(default_factory=dict)  # step -> perbaikan oleh staf
    sifat: str = "Biasa"
    status: str = "complete"
    acting: dict[int, str] = field(default_factory=dict)  # step -> Plh person id
    alasan_segera: str = ""  # set: published on the expedited path (steps 3 and 5 deferred)


def _person(pid: str, role: str, title: str) -> dict[str, Any]:
    name, nip = NAMES[pid]
    return {"id": pid, "name": name, "nip": nip, "role": role, "role_title": title}


def _signer(pid: str, title: str) -> dict[str, Any]:
    name, nip = NAMES[pid]
    return {"id": pid, "name": name, "nip": nip, "jabatan": "", "role_title": title}


def record_for(n: int, spec: Spec, merge_sha: str) -> dict[str, Any]:
    merged = datetime.combine(spec.day, time(11, 0), WIB)
    steps = []
    for number, kegiatan, role, title, standard, pid in STEPS:
        elapsed = spec.minutes.get(number, DEFAULT_MINUTES[number])
        who = spec.acting.get(number)
        person = _person(who or pid, role, f"Plh. {title}" if who else title)
        steps.append({
            "number": number, "kegiatan": kegiatan, "pelaksana": person, "kelengkapan": "",
            "output": "", "state": "done", "started_at": None, "ended_at": None,
            "elapsed_minutes": elapsed, "standard_minutes": standard,
            "over_minutes": max(0, elapsed - standard),
            "keterangan": "sesuai mutu baku" if elapsed <= standard
            else f"melebihi mutu baku {elapsed - standard} menit",
            "perbaikan_staf_minutes": spec.author_fix.get(number, 0),
            "evidence": {},
        })  # fmt: skip
    rid = f"{n}-{merge_sha[:12]}"
    record: dict[str, Any] = {
        "format": FORMAT, "id": rid, "status": spec.status,
        "reasons": [] if spec.status == "complete" else ["tangkapan layar tidak termuat"],
        "pekerjaan": "Publikasi Informasi ke Situs Website", "judul": f"Berita nomor {n}",
        "sop": {"nama": "Publikasi Informasi Kedalam Situs Website",
                "nomor": "OT.02.02/C.IX.4/206/2025"},
        "nota_dinas": {"nomor": f"ND-{n}/LPZI/XI/2026", "tanggal": spec.day.isoformat(),
                       "hal": "Permohonan publikasi", "dari": "Staf", "yth": "Kepala",
                       "sifat": spec.sifat, "lampiran": []},
        "change": {"id": str(n), "title": f"Berita nomor {n}", "url": None,
                   "author": _person("rina", "staf", "Staf Tim Kerja"), "head": merge_sha,
                   "opened_at": None, "merged_at": merged.isoformat(), "merged_by": "dewi",
                   "commits": [merge_sha], "reviews": []},
        "merge_commit": merge_sha,
        "deploy": {"target": "local", "release": f"r{n}", "previous": None, "at": None},
        "articles": [], "live": [], "screenshots": [],
        "notice": {"at": None, "recorded": True, "emailed_to": None}, "steps": steps,
        "total": {"elapsed_minutes": sum(s["elapsed_minutes"] for s in steps),
                  "standard_minutes": 240},
        "tempat_tanggal": "Medan", "created_at": merged.isoformat(),
        "yang_menyelesaikan": _signer("dewi", "Admin Website"),
        "mengetahui": _signer("andi", "Kepala Satker"),
    }  # fmt: skip
    if spec.alasan_segera:
        # Merged 11:00: 5 working hours that day, 3 the next working day (from 07:30).
        due = datetime.combine(spec.day + timedelta(days=1), time(10, 30), WIB)
        record["segera"] = {
            "sifat": "sangat segera", "alasan": spec.alasan_segera,
            "disetujui": _person("andi", "kepala_satker", "Kepala Satker"),
            "disetujui_at": merged.isoformat(), "langkah_ditunda": [3, 5], "jam_kerja": 8,
            "tenggat": due.isoformat(), "selesai": None, "tepat_waktu": None,
        }  # fmt: skip
        for step in steps:
            if step["number"] in (3, 5):
                step.update(state="deferred", elapsed_minutes=None, over_minutes=0)
    record["digest"] = digest(record)
    return record


def make_records(root: Path, specs: list[Spec], *, office: Path | None = None) -> Repo:
    """A repository at ``root`` with one commit per publication and its record on ``main``.

    ``office`` (a checkout with sop.yml, roles.yml, terbit.yml) supplies the policy files. Each
    record is committed as the publication does: its own one-parent commit with the record
    trailers, signed by a server key that ``terbit.yml`` names, so ``terbit verify`` accepts it.
    """
    repo = Repo.init(root)
    repo.run("config", "user.name", "Terbit")
    repo.run("config", "user.email", "terbit@localhost")
    for name in ("sop.yml", "roles.yml", "terbit.yml"):
        if office is not None and (office / name).is_file():
            (root / name).write_text((office / name).read_text(encoding="utf-8"), "utf-8")
    settings_file = root / "terbit.yml"
    settings = yaml.safe_load(settings_file.read_text("utf-8")) if settings_file.is_file() else {}
    settings = settings or {}
    settings.setdefault("forge", {})["server_key"] = create_server_key(repo.git_dir)
    settings_file.write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
    key = private_key_for(repo.git_dir, settings["forge"]["server_key"])
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "--allow-empty", "-m", "Kantor")
    # One commit per publication in one fast-import stream (300 commits in well under a second).
    stream = []
    for n, _spec in enumerate(specs, start=1):
        stream += [
            "commit refs/heads/main",
            f"mark :{n}",
            f"committer Terbit <terbit@localhost> {1_780_000_000 + n * 60} +0700",
            f"data {len(f'Merge {n}')}",
            f"Merge {n}",
        ]
        if n == 1:
            stream.append("from refs/heads/main^0")
        stream.append("")
    stream.append("done")
    repo.run("fast-import", "--quiet", "--done", input="\n".join(stream) + "\n")
    shas = repo.run("rev-list", "--reverse", f"-{len(specs)}", "refs/heads/main").split()
    for n, (spec, sha) in enumerate(zip(specs, shas, strict=True), start=1):
        record = record_for(n, spec, sha)
        commit_record(
            repo, f"records/{record['id']}", {"record.yml": dump(record).encode("utf-8")},
            commit_message(record), name="Terbit", email="terbit@localhost",
            signer=lambda _tip: str(key),
        )  # fmt: skip
    repo.run("reset", "--quiet", "--hard", "refs/heads/main")
    return repo


def year_specs(count: int = 300, year: int = 2026, seed: int = 20261201) -> list[Spec]:
    """``count`` publications spread over the working days of ``year``, deterministic."""
    rng = random.Random(seed)
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(365)]
    days = [d for d in days if d.weekday() < 5]
    specs = []
    for i in range(count):
        minutes = {n: max(1, int(rng.gauss(m * 1.1, m * 0.5))) for n, m in DEFAULT_MINUTES.items()}
        specs.append(
            Spec(
                day=days[i * len(days) // count],
                minutes=minutes,
                author_fix={3: rng.choice((0, 0, 15, 28))},
                sifat=rng.choice(("Biasa", "Biasa", "Segera", "Sangat Segera")),
                status="complete" if rng.random() > 0.05 else "incomplete",
            )
        )
    return specs


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
