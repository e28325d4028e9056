"""A busy office for the web application's benchmark: a server repository with hooks, ``changes``
open changes (signed, pushed through the server's real hooks) and ``records`` completion records
on main.

The changes are made as ``terbit new``/``submit`` make them (a signed draft commit on its own
branch, a signed ``opened`` event), but many at once: each author's changes go to the server in
batched pushes, which the real ``pre-receive`` hook checks. Some get a Katimker's comment, a
request for changes or an approval, so the home pages have a mix of steps. The records are
``benchmarks.recordgen``'s records, committed to main by the server itself (as publishing does).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

from benchmarks.recordgen import Spec, record_for, year_specs
from pipeline.change.nota_dinas import template
from pipeline.cli.demo.office import Office, create_office
from pipeline.clock import now
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.events import Event, head_ref, meta_ref
from pipeline.forge.local.store.signing import sign
from pipeline.record.model import dump
from pipeline.vcs import Repo
from pipeline.web.accounts import Users
from tests.support.forge import make_source

PASSWORD = "kata-sandi-bench-123"
FORMAT_VERSION = 1  # bump when what is generated changes: the cache is then made again
BATCH = 25  # changes per push (two refs each)
AUTHORS = ("rina", "budi")


def office_at(cache: Path, changes: int, records: int) -> Path:
    """The server repository of a generated office, made once per size under ``cache``."""
    root = cache / f"web-{changes}-{records}-v{FORMAT_VERSION}"
    done = root / "done.json"
    if done.is_file():
        return root / "kantor" / "server.git"
    if root.exists():
        shutil.rmtree(root)  # a half-made office from an interrupted run
    root.mkdir(parents=True)
    saved = os.environ.get("TERBIT_PUBLISH")
    os.environ["TERBIT_PUBLISH"] = "off"  # no publication: only open changes are made
    try:
        office = create_office(root / "kantor", make_source(root / "sumber"),
                               seed_message="Isi awal")  # fmt: skip
        _records(office, records)
        _changes(office, changes)
        users = Users(office.server)
        for person in office.people:
            users.set_password(person, PASSWORD, new=True)
    finally:
        if saved is None:
            os.environ.pop("TERBIT_PUBLISH", None)
        else:
            os.environ["TERBIT_PUBLISH"] = saved
    done.write_text(json.dumps({"changes": changes, "records": records}))
    return office.server


def _records(office: Office, count: int) -> None:
    """``count`` records under records/ on main, one commit written by the server itself."""
    admin = office.admin
    repo = office.forge(admin).repo
    root = office.clone_path(admin)
    specs = year_specs(count) if count else []
    tip = repo.rev_parse("HEAD") or ""
    for n, spec in enumerate(specs, start=1):
        record = record_for(n, _on_weekday(spec), tip)
        folder = root / "records" / str(record["id"])
        folder.mkdir(parents=True)
        (folder / "record.yml").write_text(dump(record), encoding="utf-8")
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "-m", f"{count} lembar penyelesaian")
    # The server updates its own main (as publishing commits a record): no receive hook.
    Repo(office.server).run("fetch", "--quiet", str(root), "+refs/heads/main:refs/heads/main")
    repo.run("fetch", "--quiet", "origin")


def _on_weekday(spec: Spec) -> Spec:
    return spec if spec.day.weekday() < 5 else Spec(day=spec.day - timedelta(days=2))


def _changes(office: Office, count: int) -> None:
    """``count`` open changes, alternating authors; then the Katimker's reviews of some."""
    for who in AUTHORS:
        office.forge(who).sync()
    refspecs: dict[str, list[str]] = {who: [] for who in AUTHORS}
    for n in range(1, count + 1):
        who = AUTHORS[n % len(AUTHORS)]
        refspecs[who] += _open(office, who, n)
        if len(refspecs[who]) >= 2 * BATCH:
            _push(office, who, refspecs[who])
            refspecs[who] = []
    for who in AUTHORS:
        if refspecs[who]:
            _push(office, who, refspecs[who])
    sari = office.forge("sari")
    sari.sync()
    reviews = []
    for n in range(1, count + 1):
        kind = ("comment", "request_changes", "approve", "", "", "")[n % 6]
        if kind:
            reviews += _review(office, "sari", str(n), kind)
        if len(reviews) >= BATCH:
            _push(office, "sari", reviews)
            reviews = []
    if reviews:
        _push(office, "sari", reviews)


def _open(office: Office, who: str, n: int) -> list[str]:
    """Commit a draft on its own branch and write its signed ``opened`` event as change
    ``n``; the refspecs that push both."""
    forge = office.forge(who)
    repo = forge.repo
    base = repo.rev_parse("refs/remotes/origin/main") or ""
    slug = f"berita-{n}"
    repo.run("switch", "--quiet", "-c", f"draft/{slug}", base)
    rel = f"content/articles/{slug}.md"
    path = office.clone_path(who) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    day = date(2026, 11, 2) + timedelta(days=n % 25)
    path.write_text(
        f"---\ntitle: Berita Kegiatan Nomor {n}\ndate: {day.isoformat()}\ncategory: Berita\n"
        f"summary: Ringkasan berita {n}.\nauthor: {who}\n---\n"
        f"Petugas kesehatan pelabuhan melakukan pemeriksaan nomor {n}.\n",
        encoding="utf-8",
    )
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "-m", f"Draf {slug}")
    head = repo.rev_parse("HEAD") or ""
    nota = template(nomor=f"ND-{n}/LPZI/XI/2026", dari="Tim", hal="Permohonan publikasi",
                    tanggal=day)  # fmt: skip
    data = {
        "title": f"Berita Kegiatan Nomor {n}", "nota_dinas": nota, "base": "main",
        "base_sha": base, "head": head, "branch": f"draft/{slug}",
    }  # fmt: skip
    sha = _event(office, who, Event("opened", str(n), who, now(), None, data))
    repo.run("switch", "--quiet", "--detach", base)
    return [f"{sha}:{meta_ref(str(n))}", f"{head}:{head_ref(str(n))}"]


def _review(office: Office, who: str, change_id: str, state: str) -> list[str]:
    forge = office.forge(who)
    tip = forge.ref(meta_ref(change_id))
    head = forge.ref(head_ref(change_id))
    body = "" if state == "approve" else f"Mohon periksa lagi paragraf {change_id}."
    data = {"state": state, "commit": head, "body": body}
    sha = _event(office, who, Event("review", change_id, who, now(), tip, data))
    return [f"{sha}:{meta_ref(change_id)}"]


def _event(office: Office, who: str, event: Event) -> str:
    person = office.people[who]
    return metachain.append(
        office.forge(who).repo, event, signature=sign(event.to_bytes(), office.key_path(who)),
        name=person.name, email=person.email,
    )  # fmt: skip


def _push(office: Office, who: str, refspecs: list[str]) -> None:
    """One push through the server's real hooks (they check every event and draft)."""
    ok, output = office.forge(who).repo.push_result("origin", *refspecs)
    if not ok:
        raise SystemExit(f"the server refused the generated changes: {output}")
    office.forge(who).sync()
