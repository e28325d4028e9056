"""``terbit verify``: every completion record checked offline against the repository.

A record must be unchanged since it was written (its digest), name commits that exist on
``main``, name reviews the forge still holds with the same reviewer, state, commit and a valid
signature (the gate is re-run on the recorded change), and its screenshots must match their
SHA-256. Each problem is located (``records/…/record.yml:line: message``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from pipeline.config import yamlsrc
from pipeline.errors import Problem, TerbitError
from pipeline.gate import evaluate
from pipeline.i18n import Catalog
from pipeline.record.assemble import PDF_NAME, YAML_NAME, policy_for
from pipeline.record.model import FORMAT, Record, check, digest
from pipeline.record.provenance import Provenance, provenance_problems
from pipeline.record.signature import check_pdf
from pipeline.record.store import RECORD_TRAILER
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "digest": (
            "isi catatan diubah setelah dibuat (digest tidak cocok)",
            "the record was changed after it was written (digest mismatch)",
        ),
        "no_commit": (
            "commit {sha} tidak ada di repositori",
            "commit {sha} is not in the repository",
        ),
        "not_on_main": (
            "commit merge {sha} tidak ada di main",
            "merge commit {sha} is not on main",
        ),
        "shot_missing": ("tangkapan layar {file} tidak ada", "screenshot {file} is missing"),
        "shot_hash": (
            "tangkapan layar {file} tidak cocok dengan SHA-256 yang tercatat",
            "screenshot {file} does not match its recorded SHA-256",
        ),
        "dd_missing": ("data dukung {file} tidak ada", "supporting document {file} is missing"),
        "dd_hash": (
            "data dukung {file} tidak cocok dengan SHA-256 yang tercatat",
            "supporting document {file} does not match its recorded SHA-256",
        ),
        "dd_forge": (
            "data dukung {file} tidak tercatat demikian pada perubahan #{change} di forge",
            "supporting document {file} is not recorded so on change #{change} at the forge",
        ),
        "no_change": (
            "perubahan #{id} tidak ditemukan: {error}",
            "change #{id} not found: {error}",
        ),
        "review_missing": (
            "ulasan {id} tidak ada pada perubahan #{change}",
            "review {id} is not on change #{change}",
        ),
        "review_differs": (
            "ulasan {id} berbeda dari yang tersimpan di forge ({field})",
            "review {id} differs from the one the forge holds ({field})",
        ),
        "review_unsigned": (
            "tanda tangan ulasan {id} tidak sah: {note}",
            "the signature of review {id} does not verify: {note}",
        ),
        "gate_failed": (
            "gerbang tidak lolos untuk perubahan #{id} saat diperiksa ulang: {problems}",
            "the gate does not pass for change #{id} when re-run: {problems}",
        ),
        "step_differs": (
            "langkah {number}: tercatat {field} '{recorded}', menurut riwayat '{actual}'",
            "step {number}: recorded {field} '{recorded}', the history says '{actual}'",
        ),
        "unreadable": ("catatan tidak dapat dibaca: {error}", "the record cannot be read: {error}"),
    }
)


def digest_matches(record: dict[str, Any]) -> bool:
    """The record's digest holds. libyaml's emitter first (fast; the same text for records),
    PyYAML's own as the reference when they differ, so no valid record is ever refused."""
    stored = record.get("digest")
    dumper = getattr(yaml, "CSafeDumper", None)
    if dumper is not None:
        body = {k: v for k, v in record.items() if k != "digest"}
        text = yaml.dump(body, Dumper=dumper, sort_keys=True, allow_unicode=True)
        if stored == "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest():
            return True
    return stored == digest(record)


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # record ids honestly marked incomplete


def record_reader(
    repo: Repo, records_path: str, name: str = YAML_NAME
) -> tuple[list[str], Callable[[str], bytes | None]]:
    """Record folders (in a work tree: those holding ``name``) and a file reader: the work
    tree when there is one, else ``main``."""
    tree = repo.work_tree
    if tree is not None:
        base = tree / records_path
        folders = sorted(
            f"{records_path}/{p.name}" for p in base.iterdir() if (p / name).is_file()
        ) if base.is_dir() else []  # fmt: skip

        def read(path: str) -> bytes | None:
            file = tree / path
            return file.read_bytes() if file.is_file() else None

        return folders, read
    rows = repo.ls_tree("refs/heads/main", records_path)
    folders = [f"{records_path}/{name}" for _m, kind, _s, name in rows if kind == "tree"]
    return folders, lambda path: repo.show_bytes("refs/heads/main", path)


def verify_records(
    repo: Repo,
    *,
    records_path: str = "records",
    forge: Any = None,
    only: set[str] | None = None,
    signing: Any = None,
) -> VerifyReport:
    """Check the records under ``records_path`` (only the folders named in ``only``, if given:
    the compliance report verifies exactly the records it counts)."""
    report = VerifyReport()
    folders, read = record_reader(repo, records_path.strip("/"))
    if only is not None:
        folders = [f for f in folders if f.rsplit("/", 1)[-1] in only]
    docs: list[tuple[str, str, yamlsrc.Doc]] = []
    for folder in folders:
        path = f"{folder}/{YAML_NAME}"
        raw = read(path)
        if raw is None:
            continue
        report.checked += 1
        try:
            text = raw.decode("utf-8")
            # Lines are only needed to locate a problem: parse for them only then.
            docs.append((folder, path, yamlsrc.load_fast(text, path) or yamlsrc.load(text, path)))
        except (TerbitError, UnicodeDecodeError) as error:
            report.problems.append(Problem(path, None, MSG("unreadable", error=str(error))))
    return check_loaded(repo, docs, read, forge=forge, report=report, signing=signing)


def check_loaded(
    repo: Repo,
    docs: list[tuple[str, str, yamlsrc.Doc]],
    read: Callable[[str], bytes | None],
    *,
    forge: Any = None,
    report: VerifyReport | None = None,
    signing: Any = None,
) -> VerifyReport:
    """The checks of ``verify_records`` on records already read: ``(folder, path, doc)``."""
    if report is None:
        report = VerifyReport(checked=len(docs))
    main = repo.rev_parse("refs/heads/main") or repo.head()
    checked = [(folder, path, doc, check(doc)) for folder, path, doc in docs]
    valid = [found for _f, _p, _d, (found, _problems) in checked if found is not None]
    objects = _Objects(repo, main, [folder for folder, _p, _d in docs], valid, signing)
    for folder, path, doc, shape in checked:
        problems = _check(objects, doc, shape, path, folder, read, forge)
        if problems and not doc.lines:
            located = yamlsrc.load(raw_text(read, path), path)
            problems = _check(objects, located, check(located), path, folder, read, forge)
        report.problems += problems
        if not problems and isinstance(doc.data, dict) and doc.data.get("status") != "complete":
            report.incomplete.append(str(doc.data.get("id")))
    return report


def raw_text(read: Callable[[str], bytes | None], path: str) -> str:
    return (read(path) or b"").decode("utf-8")


class _Objects:
    """Which commits exist and which are on main, asked of git twice for all records at once:
    a question per commit would cost seconds for a year of records."""

    def __init__(
        self,
        repo: Repo,
        main: str | None,
        folders: list[str],
        records: list[Record],
        signing: Any = None,
    ):
        self.repo = repo
        self.main = main
        self.signing = signing  # SigningSettings: trust roots for PDF signatures
        wanted: set[str] = set()
        for record in records:
            wanted.add(record.merge_commit)
            wanted |= set(record.change.commits)
        self.known = repo.existing_objects(sorted(s for s in wanted if s))
        self.on_main = repo.reachable(main) if main else set()
        self.provenance = Provenance(repo, main, folders)
        # Every commit shaped like a record commit, verified in one go before the per-record
        # checks ask about them.
        self.provenance.verify_signatures(
            [
                touch
                for folder in folders
                for touch in self.provenance.touching.get(folder, [])
                if len(touch.parents) == 1 and touch.trailers.get(RECORD_TRAILER)
            ]
        )

    def exists(self, sha: str) -> bool:
        return sha in self.known

    def ancestor_of_main(self, sha: str) -> bool:
        return sha in self.on_main


def _check(
    objects: _Objects,
    doc: yamlsrc.Doc,
    shape: tuple[Record | None, list[Problem]],
    path: str,
    folder: str,
    read: Callable[[str], bytes | None],
    forge: Any,
) -> list[Problem]:
    out: list[Problem] = []

    def add(where: tuple[str | int, ...], message: str) -> None:
        out.append(Problem(path, doc.line_of(where), message))

    record, malformed = shape
    data = doc.data if isinstance(doc.data, dict) else {}
    if data.get("format") != FORMAT:
        return malformed  # not a record of a known format: nothing else can be judged
    out += malformed  # a record of the wrong shape: its history can still be judged
    if not digest_matches(data):
        add(("digest",), MSG("digest"))
    pdf = read(f"{folder}/{PDF_NAME}")
    if pdf is not None:
        # The PDF's own PAdES signature: one changed byte breaks it (unsigned PDFs say so).
        for problem in check_pdf(pdf, objects.signing).problems:
            out.append(Problem(f"{folder}/{PDF_NAME}", None, problem))
    if record is not None:
        merge = record.merge_commit
        if not objects.exists(merge):
            add(("merge_commit",), MSG("no_commit", sha=merge))
        elif objects.on_main and not objects.ancestor_of_main(merge):
            add(("merge_commit",), MSG("not_on_main", sha=merge))
        for i, sha in enumerate(record.change.commits):
            if not objects.exists(sha):
                add(("change", "commits", i), MSG("no_commit", sha=sha))
        for i, shot in enumerate(record.screenshots):
            image = read(f"{folder}/{shot.file}")
            if image is None:
                add(("screenshots", i, "file"), MSG("shot_missing", file=shot.file))
            elif hashlib.sha256(image).hexdigest() != shot.sha256:
                add(("screenshots", i, "sha256"), MSG("shot_hash", file=shot.file))
        for i, doc_ in enumerate(record.data_dukung or []):
            kept = read(f"{folder}/{doc_.file}")
            if kept is None:
                add(("data_dukung", i, "file"), MSG("dd_missing", file=doc_.file))
            elif hashlib.sha256(kept).hexdigest() != doc_.sha256 or len(kept) != doc_.bytes:
                add(("data_dukung", i, "sha256"), MSG("dd_hash", file=doc_.file))
        if forge is not None and not out:
            out += _against_forge(objects.repo, record, doc, path, forge)
    for where, message in provenance_problems(objects.provenance, folder, data, read):
        out.append(Problem(where, None, message))
    return out


def _against_forge(
    repo: Repo, record: Record, doc: yamlsrc.Doc, path: str, forge: Any
) -> list[Problem]:
    out: list[Problem] = []

    def add(where: tuple[str | int, ...], message: str) -> None:
        out.append(Problem(path, doc.line_of(where), message))

    change_id = record.change.id
    try:
        change = forge.get_change(change_id)
    except TerbitError as error:
        add(("change", "id"), MSG("no_change", id=change_id, error=str(error)))
        return out
    held = {r.id: r for r in change.reviews}
    for i, recorded in enumerate(record.change.reviews):
        review = held.get(recorded.id)
        if review is None:
            add(("change", "reviews", i, "id"), MSG("review_missing", id=recorded.id,
                                                    change=change_id))  # fmt: skip
            continue
        for key in ("reviewer", "state", "commit"):
            if str(getattr(recorded, key)) != str(getattr(review, key)):
                add(("change", "reviews", i, key), MSG("review_differs", id=review.id, field=key))
        if forge.signatures_required() and review.signature_ok is False:
            add(("change", "reviews", i), MSG("review_unsigned", id=review.id,
                                              note=review.signature_note))  # fmt: skip
    held_docs = {(d.event, d.name, d.sha256, d.by) for d in change.data_dukung}
    for i, listed in enumerate(record.data_dukung or []):
        if (listed.event, listed.name, listed.sha256, listed.by) not in held_docs:
            add(("data_dukung", i), MSG("dd_forge", file=listed.file, change=change_id))
    parents = repo.parents(record.merge_commit)
    sop, roles = policy_for(forge, parents[0] if parents else "refs/heads/main")
    report = evaluate(change, sop=sop, roles=roles,
                      signatures_required=forge.signatures_required())  # fmt: skip
    if not report.passed:
        add(("change", "id"), MSG("gate_failed", id=change_id, problems="; ".join(report.problems)))
    by_number = {s.number: s for s in report.steps}
    for i, step in enumerate(record.steps):
        actual = by_number.get(step.number)
        if actual is None or actual.state != "done" or (not actual.gate and step.number > 2):
            continue
        if step.state == "deferred":  # reviewed after the record was written (expedited path)
            continue
        pairs = [("pelaksana", step.pelaksana.id, actual.by)]
        if actual.gate:
            pairs.append(("review", step.evidence.review, actual.review_id))
        for name, claimed, real in pairs:
            if str(claimed) != str(real):
                where = ("steps", i, "pelaksana", "id") if name == "pelaksana" else (
                    "steps", i, "evidence", "review")  # fmt: skip
                add(where, MSG("step_differs", number=step.number, field=name,
                               recorded=claimed, actual=real))  # fmt: skip
    return out
