"""Step 8: the completion record as a typed, versioned document (``record.yml``).

``Record`` is the whole Lembar Penyelesaian Pekerjaan as data; ``docs/record.schema.json`` is
its JSON Schema, generated from these classes. The file keeps exactly the keys a record was
written with: a key added to the format later (``nomor``, ``waktu_kerja``, the author's fixing
minutes, an acting official's decision) is optional, so a record written before it still reads
and still verifies byte for byte. A ``digest`` over the canonical content makes any later edit
of the file detectable.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationError

from pipeline.config import yamlsrc
from pipeline.config.validate import problems_of
from pipeline.errors import InputError, Problem
from pipeline.evidence.articles import ArticleFact
from pipeline.i18n import Catalog

FORMAT = "terbit-record/1"
HEADER = "# Lembar Penyelesaian Pekerjaan (data). Dibuat oleh Terbit; jangan diubah.\n"
DIGEST_RE = r"^sha256:[0-9a-f]{64}$"
# Stands in for the digest until the content it covers is complete (``seal``).
UNSEALED = "sha256:" + "0" * 64

MSG = Catalog(
    {
        "format": ("format catatan '{found}' tidak dikenal", "unknown record format '{found}'"),
        "root": (
            "catatan harus berupa pemetaan (kunci: nilai)",
            "a record must be a mapping (key: value)",
        ),
    }
)

# Times are written as ISO 8601 to the second with their offset, as the first records were.
Timestamp = Annotated[
    datetime, PlainSerializer(lambda v: v.isoformat(timespec="seconds"), return_type=str)
]
# "deferred": owed after the publication under sop.yml's expedited path ("Sangat Segera");
# "skipped": not part of the path the change took (the review steps of a withdrawal).
StepState = Literal["done", "pending", "refused", "failed", "deferred", "skipped"]
Status = Literal["complete", "incomplete", "failed"]


class Part(BaseModel):
    """A part of the record: unknown keys are errors (a typo is not silently kept)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(Part):
    """Who did a step (the Pelaksana) or wrote the change, with the role they acted in."""

    id: str | None
    name: str
    nip: str
    role: str
    role_title: str  # "Plh. Kepala Satker" when an acting official proved the step
    acting_nomor: str = ""  # the decision appointing the acting official (only then)


class Signer(Part):
    """A signature block: "Yang menyelesaikan" (the uploader) or "Mengetahui" (the head)."""

    id: str | None
    name: str  # blank when nobody signed the step's evidence
    nip: str
    jabatan: str
    role_title: str
    acting_nomor: str = ""
    pending: Literal["no_disposition"] | None = None  # why the block names nobody


class SopRef(Part):
    nama: str
    nomor: str


class NotaDinasRef(Part):
    """The memo the work was asked for with (SOP step 2); blank when the change had none."""

    nomor: str
    tanggal: date | None
    hal: str
    dari: str
    yth: str
    sifat: str
    lampiran: list[str]


class ReviewRef(Part):
    id: str
    reviewer: str  # person id
    state: str
    commit: str
    at: Timestamp
    signature_ok: bool | None


class ChangeRef(Part):
    """The change (pull request) that carried the draft, with its commits and reviews."""

    id: str
    title: str
    url: str | None
    author: Person
    head: str
    opened_at: Timestamp | None
    merged_at: Timestamp | None
    merged_by: str | None
    commits: list[str]
    reviews: list[ReviewRef]


class Deploy(Part):
    target: str
    release: str | None  # None when the deploy failed
    previous: str | None
    at: Timestamp | None


class Article(Part):
    path: str
    status: str  # A added, M modified, D deleted, W withdrawn (content/withdrawn.yml)
    title: str
    url: str | None
    removed_url: str | None = None  # where a removed article was (checked to be gone)


class LiveCheck(Part):
    url: str
    status: int  # the HTTP status that answered (200 live, 404/410 gone)
    attempts: int


class Screenshot(Part):
    file: str  # relative to the record folder
    view: str
    url: str
    width: int
    height: int
    bytes: int
    sha256: str


class DataDukung(Part):
    """A supporting document of the change (the SOP's data dukung), kept in the record folder
    and listed as its signed record on the forge states it; never published on the site."""

    file: str  # relative to the record folder: data-dukung/<name>
    name: str
    type: str  # the media type its bytes were judged to be
    bytes: int
    sha256: str
    by: str  # person id of who attached it
    at: Timestamp
    event: str  # the forge record that carries it
    signature_ok: bool | None


class Violation(Part):
    """An axe rule a checked page breaks (WCAG 2.1 A/AA), with the elements that break it."""

    page: str
    rule: str
    impact: str
    targets: list[str]


class BrokenLink(Part):
    page: str
    href: str  # an internal link or image that names no file of the built site


class PageCheck(Part):
    """ "Pemeriksaan halaman": the changed pages and the home page, checked as a visitor would."""

    pages: list[str]
    violations: list[Violation]
    broken_links: list[BrokenLink]
    external_links: list[str]  # listed, not fetched (the check runs offline)
    problems: list[str] = []  # a page that could not be opened, a browser that failed


class ShotHash(Part):
    file: str
    sha256: str


class Notice(Part):
    at: Timestamp | None
    recorded: bool
    emailed_to: str | None
    email: str | None = None  # "sent", or "unconfirmed" (killed while handing it over)


class Evidence(Part):
    """What proves a step; which keys depends on the step's proof in sop.yml."""

    commits: list[str] | None = None  # draft_commit
    change: str | None = None  # change_opened
    url: str | None = None
    review: str | None = None  # review, approval
    commit: str | None = None
    merge_commit: str | None = None  # merge
    release: str | None = None  # deploy
    urls: list[str] | None = None
    screenshots: list[ShotHash] | None = None
    notice_recorded: bool | None = None  # notice
    emailed_to: str | None = None
    record: str | None = None  # record


class Step(Part):
    """One row of the SOP table."""

    number: int
    kegiatan: str
    pelaksana: Person
    kelengkapan: str
    output: str
    state: StepState
    started_at: Timestamp | None
    ended_at: Timestamp | None
    elapsed_minutes: int | None  # working minutes; None when the step never started
    standard_minutes: int  # the SOP's Mutu Baku
    over_minutes: int
    keterangan: str
    perbaikan_staf_minutes: int = 0  # the author's fixing time inside the step, shown apart
    evidence: Evidence


class Segera(Part):
    """An urgent publication (nota dinas "Sangat Segera") on sop.yml's expedited path: the
    written reason, who opened it, and the deferred review with its working-hour deadline."""

    sifat: str
    alasan: str  # the nota dinas's ``alasan_segera``
    disetujui: Person  # who opened the path with their approval (the head, or their Plh)
    disetujui_at: Timestamp | None
    langkah_ditunda: list[int]  # the SOP steps deferred
    jam_kerja: int  # working hours after the merge to do them
    tenggat: Timestamp | None  # the deadline (office calendar)
    selesai: Timestamp | None  # when the deferred review was done (None: still owed)
    tepat_waktu: bool | None  # done by the deadline; None while still owed


class Jadwal(Part):
    """A scheduled publication (``publish_at``, issue 15 §4): merged early, live at its time.
    ``terlambat_menit`` > 0 when it went live later than scheduled (the server was down)."""

    dijadwalkan: Timestamp  # the drafts' publish_at (the last of them)
    tayang: Timestamp | None  # when the release holding them went live
    terlambat_menit: int = Field(ge=0)


class Publication(Part):
    """How the publication went: ``attempts`` counts every start of it for this merge (a
    failure retried, a killed run resumed), taken from the publication's state file."""

    attempts: int = Field(ge=1)


class WithdrawnArticle(Part):
    """An article the change took off the site (content/withdrawn.yml)."""

    path: str  # its draft
    judul: str
    url: str | None  # the live address that now answers 410 with the notice
    alasan: str
    ganti: str | None = None  # the replacement's slug, linked from the notice


class Penarikan(Part):
    """A withdrawal on sop.yml's short ``withdrawal:`` path: what, why, who asked and who
    approved it (the approval replaces the review steps, which are "skipped")."""

    artikel: list[WithdrawnArticle]
    diajukan: Person  # who opened the change
    disetujui: Person  # whose signed approval let it merge (blank when none counted)
    disetujui_at: Timestamp | None
    review: str | None


class Total(Part):
    elapsed_minutes: int
    standard_minutes: int


class Record(Part):
    """The Lembar Penyelesaian Pekerjaan of one publication, as ``record.yml`` holds it."""

    format: Literal["terbit-record/1"]
    id: str
    status: Status
    reasons: list[str]  # why the record is not complete, in the office's language
    pekerjaan: str
    judul: str
    sop: SopRef
    nota_dinas: NotaDinasRef
    change: ChangeRef
    merge_commit: str
    deploy: Deploy
    articles: list[Article]
    live: list[LiveCheck]
    screenshots: list[Screenshot]
    # Absent in records made before the check existed, and when the browser is switched off.
    pemeriksaan_halaman: PageCheck | None = None
    # Only on a change with supporting documents, so every other record keeps its bytes.
    data_dukung: list[DataDukung] | None = None
    notice: Notice
    steps: list[Step]
    total: Total
    waktu_kerja: str = ""  # how the minutes were counted (working calendar, fixes apart)
    nomor: str = ""  # the document number from publish.record_number
    segera: Segera | None = None  # only on an urgent publication (issue 15)
    jadwal: Jadwal | None = None  # only on a scheduled publication (issue 15 §4)
    # Only when the publication took more than one attempt: a first-time success keeps the
    # keys records always had (issue 14, "publications retried").
    publication: Publication | None = None
    penarikan: Penarikan | None = None  # only on a withdrawal (issue 15 §2)
    tempat_tanggal: str
    created_at: Timestamp | None
    yang_menyelesaikan: Signer
    mengetahui: Signer
    digest: str = Field(pattern=DIGEST_RE)

    def data(self) -> dict[str, Any]:
        """The record as plain data, with exactly the keys it was made or read with."""
        return self.model_dump(mode="json", exclude_unset=True)


@dataclass(frozen=True)
class ShotFact:
    file: str  # relative to the record folder
    view: str
    url: str
    width: int
    height: int
    bytes: int
    sha256: str


@dataclass
class PublishFacts:
    """What the publication did, gathered stage by stage (kept in the state file)."""

    merge_sha: str
    merged_at: datetime
    target: str
    release: str | None  # None when the deploy itself failed
    deployed_at: datetime | None
    previous_release: str | None
    articles: list[ArticleFact]
    live: list[dict[str, Any]] = field(default_factory=list)
    screenshots: list[ShotFact] = field(default_factory=list)
    notice_at: datetime | None = None
    notice_recorded: bool = False
    emailed_to: str | None = None
    email_state: str | None = None  # "sent", or "unconfirmed" (killed while handing it over)
    problems: list[str] = field(default_factory=list)
    page_check: dict[str, Any] | None = None  # evidence.visitor.PageReport.data()
    # Why the publication failed (the page is not live, the deploy broke), in the office's
    # language; a failure is a state of its own, never folded into "incomplete".
    failure: str | None = None
    # A scheduled publication: its publish_at and how many minutes after it it went live.
    scheduled_at: datetime | None = None
    late_minutes: int = 0
    attempts: int = 1  # starts of this publication (its state file), the retries included


def record_id(change_id: str, merge_sha: str) -> str:
    """File-system safe and unique per merge: the same merge always maps to the same record."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", change_id).strip("-.") or "change"
    return f"{safe}-{merge_sha[:12]}"


def digest(record: Mapping[str, Any]) -> str:
    """The digest of a record's data: SHA-256 of its canonical YAML without the digest."""
    body = {k: v for k, v in record.items() if k != "digest"}
    canonical = yaml.safe_dump(body, sort_keys=True, allow_unicode=True)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(record: Record) -> Record:
    """``record`` with the digest of its content."""
    return record.model_copy(update={"digest": digest(record.data())})


def dump(record: Record | Mapping[str, Any]) -> str:
    """The text of ``record.yml``: keys in the record's order, after a header line."""
    data = record.data() if isinstance(record, Record) else record
    return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def check(doc: yamlsrc.Doc) -> tuple[Record | None, list[Problem]]:
    """The record a parsed ``record.yml`` holds, or each located problem that keeps it from
    being one (an unknown format is one problem: the rest of the file is then not judged)."""
    data = doc.data
    if not isinstance(data, dict):
        return None, [Problem(doc.path, doc.line_of(()) or 1, MSG("root"))]
    if data.get("format") != FORMAT:
        found = data.get("format")
        return None, [Problem(doc.path, doc.line_of(("format",)), MSG("format", found=found))]
    try:
        return Record.model_validate(data), []
    except ValidationError as error:
        return None, problems_of(error, doc)


def parse(text: str, path: str) -> Record:
    """Read a ``record.yml``; raise InputError at the first located problem."""
    doc = yamlsrc.load(text, path, error=InputError)
    record, problems = check(doc)
    if record is None:
        first = problems[0]
        raise InputError(first.message, path=first.path, line=first.line, problems=problems[1:])
    return record
