"""The web application's one door to the office: forge, gate, roles, records and reports.

Everything else in ``pipeline.web`` imports only this facade (plus ``pipeline.i18n``,
``pipeline.errors`` and ``pipeline.config``), so when the forge's modules move only this file
follows. It reads the embedded forge's server repository (the bare repository that
``terbit init-server`` made); roles, the SOP and settings always come from ``main``, never from
a change. It hands the pages plain rows, never forge objects.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import markdown
from pelican.settings import DEFAULT_CONFIG as PELICAN_DEFAULTS

from pipeline.change.model import Change, ChangeState, Review
from pipeline.change.nota_dinas import parse_nota_dinas
from pipeline.change.nota_dinas import template as nota_template
from pipeline.clock import now
from pipeline.compliance.collect import collect
from pipeline.compliance.compose import make_report
from pipeline.compliance.period import parse_period
from pipeline.compliance.render import CSS as REPORT_CSS
from pipeline.config.roles import ROLES_FILE, Person, Roles
from pipeline.config.settings import SETTINGS_FILE, Settings, committed_settings
from pipeline.config.sop import Sop
from pipeline.draft.checks import check_paths
from pipeline.draft.content_model import IMAGE_SUFFIXES
from pipeline.draft.frontmatter import parse as parse_front_matter
from pipeline.draft.sanitize import sanitize
from pipeline.errors import AccessError, ConfigError, InputError, StaleError, TerbitError
from pipeline.forge.local.client import actions as client
from pipeline.forge.local.client.counts import approval_problem
from pipeline.forge.local.rules.identity import merger_problem, step_of
from pipeline.forge.local.rules.policy import evaluate
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.events import REF_PREFIX, meta_ref
from pipeline.forge.local.store.forge import LocalForge
from pipeline.forge.local.store.metachain import Stored
from pipeline.gate import GateReport, StepStatus, at_time, policy_at, step_at_time
from pipeline.gate import evaluate as gate_evaluate
from pipeline.gate.drafts import draft_results
from pipeline.gate.timing import minutes_between
from pipeline.i18n import Catalog, get_lang, set_lang
from pipeline.record.assemble import PDF_NAME
from pipeline.record.official import CSS as OFFICIAL_CSS
from pipeline.record.store import existing_record, outcome_for
from pipeline.render.plugins.tables import scrollable_tables
from pipeline.vcs import GitError, Repo
from pipeline.web import carry
from pipeline.web.diffs import FileDiff, published_diffs
from pipeline.web.drafting import SLUG_RE, DraftForm, Remark
from pipeline.web.forgecache import (
    MAIN,
    ForgeCache,
    Key,
    Loaded,
    cache_of,
    change_keys,
    pinned_refs,
)
from pipeline.web.notaform import ROMAN, NotaForm, Numbered, suggest_nomor
from pipeline.web.recordsteps import recorded_steps
from pipeline.web.sitepreview import PREVIEW_HEADERS as PREVIEW_HEADERS  # for the pages
from pipeline.web.sitepreview import NoPreview as NoPreview  # for the pages
from pipeline.web.sitepreview import built, folder_of, page_file
from pipeline.web.sitepreview import unavailable_page as unavailable_page

MSG = Catalog(
    {
        "not_server": (
            "{path} bukan repositori server forge bawaan (buat dengan `terbit init-server`)",
            "{path} is not an embedded-forge server repository (create it with "
            "`terbit init-server`)",
        ),
        "no_change": ("perubahan #{id} tidak ditemukan", "change #{id} not found"),
        "author_fix": ("Perbaikan oleh staf", "Fixing by the author"),
        "not_your_step": (
            "perubahan #{id} tidak sedang menunggu peran Anda; hanya {roles} yang boleh "
            "mengulasnya sekarang",
            "change #{id} is not waiting for your role; only {roles} may review it now",
        ),
        "own_change": (
            "Anda menulis perubahan #{id}; orang lain yang harus mengulasnya",
            "you wrote change #{id}; someone else must review it",
        ),
        "stale": (
            "perubahan #{id} berubah sejak halaman dibuka (commit baru atau ulasan lain); "
            "teks Anda masih ada di bawah — periksa lagi lalu kirim ulang",
            "change #{id} changed since the page was opened (new commits or another review); "
            "your text is still below — check again, then send it again",
        ),
        "not_open": ("perubahan #{id} sudah {state}", "change #{id} is already {state}"),
        "wont_count": (
            "persetujuan Anda tidak akan dihitung, jadi tidak dicatat: {why}",
            "your approval would not count, so it was not recorded: {why}",
        ),
        "slug": (
            "slug hanya boleh huruf kecil, angka dan tanda '-' (mis. vaksin-haji)",
            "the slug may only hold lower-case letters, digits and '-' (e.g. vaksin-haji)",
        ),
        "slug_taken": (
            "{path} sudah ada di main; pilih slug lain",
            "{path} already exists on main; choose another slug",
        ),
        "gate_open": (
            "perubahan #{id} belum memenuhi SOP; tombol gabung muncul setelah gerbang lolos",
            "change #{id} does not satisfy the SOP yet; the merge button appears once the gate "
            "passes",
        ),
        "check_body": (
            "commit {sha}: {pages} halaman, {new} temuan baru, {known} sudah ada di main",
            "commit {sha}: {pages} page(s), {new} new finding(s), {known} already on main",
        ),
        "check_unsigned": ("tidak bertanda tangan kunci server", "not signed by the server key"),
        "no_merge_role": (
            "Anda tidak lagi aktif di roles.yml",
            "you are no longer active in roles.yml",
        ),
        "not_attacher": (
            "hanya pengaju perubahan #{id} yang boleh melampirkan data dukung",
            "only the submitter of change #{id} may attach supporting documents",
        ),
        "protected": (
            "Persetujuan berkas terlindung",
            "Approval of protected files",
        ),
        "no_preview": (
            "perubahan #{id} tidak terbuka atau tidak mengubah halaman situs; tidak ada pratinjau",
            "change #{id} is not open or changes no page of the site; there is no preview",
        ),
        "slug_open": (
            "{path} sudah diajukan di perubahan #{id} yang masih terbuka; pilih slug lain "
            "atau perbaiki perubahan itu",
            "{path} is already in change #{id}, still open; choose another slug or fix that change",
        ),
        "not_writer": (
            "hanya peran {roles} yang boleh mengajukan draf",
            "only the role {roles} may submit drafts",
        ),
        "not_author": (
            "hanya pengaju perubahan #{id} ({author}) yang boleh memperbaikinya",
            "only the submitter of change #{id} ({author}) may fix it",
        ),
        "no_draft": (
            "perubahan #{id} tidak memuat draf artikel atau halaman yang bisa disunting di sini",
            "change #{id} holds no article or page draft this editor can edit",
        ),
        "unchanged": (
            "tidak ada yang berubah dibanding commit terakhir perubahan #{id}",
            "nothing changed compared with the latest commit of change #{id}",
        ),
        "fix_stale": (
            "perubahan #{id} berubah sejak penyunting dibuka (ulasan atau commit baru); "
            "teks Anda masih ada di bawah — baca riwayatnya, lalu kirim ulang",
            "change #{id} changed since the editor was opened (a review or new commits); "
            "your text is still below — read its timeline, then send again",
        ),
        "commit_new": ("Draf: {title}", "Draft: {title}"),
        "commit_fix": ("Perbaikan draf: {title}", "Draft fixed: {title}"),
    }
)

CHANGE_ID = re.compile(r"^[1-9][0-9]{0,8}$")
PREVIEW_KEY = re.compile(r"^[0-9a-f]{40}-[0-9a-f]{16}$")
THEME_CSS = "theme/static/css/site.css"
RECORD_FOLDER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,120}$")
TOOL_LINES = ("checks", "page_check")  # gate lines proven by a tool, not by a person's step


@dataclass(frozen=True)
class StepRow:
    """One SOP step of a change as the gate sees it."""

    number: int
    activity: str
    role: str
    state: str  # done / pending / refused
    by: str
    at: datetime | None
    elapsed: int | None
    standard: int
    over: int
    running: bool
    note: str
    reason: str
    author_minutes: int


@dataclass(frozen=True)
class EventRow:
    """One record of a change's history: who did what, when, and the minutes since before."""

    kind: str  # opened / push / review:<state> / closed / notice / merged
    by: str
    at: datetime
    minutes: int | None
    body: str = ""
    signature: str = ""  # why a signature does not count, when it does not


@dataclass(frozen=True)
class ChangeRow:
    """A change in the lists."""

    id: str
    title: str
    author: str
    author_name: str
    state: str  # open / merged / closed
    opened_at: datetime
    step: int | None  # the step it waits at (open changes)
    step_activity: str
    passed: bool


@dataclass(frozen=True)
class ChangeView:
    """Everything the change page shows."""

    row: ChangeRow
    nota_dinas: str
    steps: list[StepRow]
    problems: list[str]
    notes: list[str]
    events: list[EventRow]
    files: list[str]
    head_sha: str = ""
    review_step: int | None = None  # the step this person may review now (None: may not)
    closed_reason: str = ""
    publication: str = ""  # complete / incomplete / failed, once a record exists
    diffs: list[FileDiff] = field(default_factory=list)  # edited drafts against main's
    merge_sha: str = ""
    may_merge: bool = False  # this person may merge it now (step 6, the gate passes)
    merge_why: str = ""  # why not, for the step-6 role's people (empty for the others)
    data_dukung: list[DocumentRow] = field(default_factory=list)
    may_attach: bool = False  # the person is the submitter and the change is open
    page_check: bool = False  # the server checks open changes' pages (terbit.yml forge.page_check)


@dataclass(frozen=True)
class DocumentRow:
    """A supporting document (data dukung) of a change, as its signed record states it."""

    name: str
    media_type: str
    size_kb: int
    sha256: str
    by: str
    at: datetime
    signed: bool


@dataclass(frozen=True)
class _Pending:
    """A step that waits for a person, from a report kept without the clock."""

    change: Change
    status: StepStatus
    since: datetime
    fixing: bool  # the author's turn, after a request for changes


@dataclass(frozen=True)
class Waiting:
    """Something that waits for a person: a change at a step, for how long against its standard."""

    change_id: str
    title: str
    step: int
    activity: str
    submitter: str
    since: datetime
    elapsed: int
    standard: int
    over: int


@dataclass(frozen=True)
class RecordRow:
    """A completion record on main."""

    folder: str
    change_id: str
    title: str
    status: str
    published: str  # office-local day, ISO
    has_pdf: bool


@dataclass
class Policy:
    """Roles, SOP and settings of ``main`` at one moment (one request)."""

    roles: Roles
    sop: Sop
    settings: Settings
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))


# Browser reviews are written through one clone of the server kept beside it; one at a time.
_WRITE_LOCK = threading.Lock()
# Threads reading changes after a start or when main moved: git does the work, in processes
# of its own, so two keep the office server's two cores busy.
LOAD_THREADS = 2
WAITING_PAGE = 50  # rows of "Menunggu saya" a page shows (and times)


class Office:
    """The office's forge as the web application reads it. Cheap to create; one per request.

    What it reads is reused between requests through the process's ``ForgeCache`` of the
    server, keyed by the refs this request found (``cached=False``: read everything again,
    as the tests compare)."""

    def __init__(self, server: Path, *, cached: bool = True) -> None:
        try:
            self.repo = Repo(server)
            bare = self.repo.bare
        except (TerbitError, OSError):
            raise ConfigError(MSG("not_server", path=server)) from None
        if not bare:
            raise ConfigError(MSG("not_server", path=server))
        self.server = server
        self.cache: ForgeCache | None = cache_of(server.resolve()) if cached else None
        self._refs: dict[str, str] | None = None
        self._policy: Policy | None = None
        self._forge: LocalForge | None = None
        self.broken: dict[str, str] = {}  # change id -> why it cannot be read
        # One instant per request: every time a page shows is measured to it, so the same
        # refs read at the same instant show the same minutes, cached or not.
        self.at = now()

    def refs(self) -> dict[str, str]:
        """Main's tip and every change's tips, read once per request (one git call): what
        this request shows, and the key of everything it reuses."""
        if self._refs is None:
            self._refs = {
                name: sha
                for name, sha in self.repo.refs("refs/").items()
                if name == MAIN or name.startswith(REF_PREFIX)
            }
        return self._refs

    # -- policy of main ---------------------------------------------------------------------

    def policy(self) -> Policy:
        if self._policy is None:
            tip = self.refs().get(MAIN) if self.cache else self.repo.rev_parse(MAIN)
            if not tip:
                raise ConfigError(MSG("not_server", path=self.server))
            kept = self._kept_policy(tip)
            if kept is not None:
                self._policy = kept
            else:
                read: list[str] = []

                def show(path: str) -> str | None:
                    read.append(path)
                    return self.repo.show_file(tip, path)

                sop, roles = policy_at(show)
                settings = committed_settings(show)
                zone = sop.calendar.tz if sop.calendar is not None else None
                policy = Policy(roles, sop, settings, zone or ZoneInfo(settings.site.timezone))
                if self.cache:
                    blobs = self.repo.blob_ids(f"{tip}:{path}" for path in read)
                    files = tuple((path, blobs.get(f"{tip}:{path}")) for path in read)
                    self.cache.policies.put("main", tip, (files, policy))
                self._policy = policy
        return self._policy

    def _kept_policy(self, tip: str) -> Policy | None:
        """The kept policy, while the files it was read from are the same: main moving by a
        publication (articles only) keeps it, a change of roles.yml, sop.yml or terbit.yml
        reads it again (one git call to compare the blob ids when main has moved)."""
        if self.cache is None:
            return None
        kept = self.cache.policies.newest("main")
        if kept is None:
            return None
        read_at, (files, policy) = kept
        if read_at != tip:
            now_ = self.repo.blob_ids(f"{tip}:{path}" for path, _blob in files)
            if any(now_.get(f"{tip}:{path}") != blob for path, blob in files):
                return None
            self.cache.policies.put("main", tip, (files, policy))
        return policy

    def person(self, person_id: str) -> Person | None:
        """An active person of roles.yml on main (None: unknown or no longer serving)."""
        person = self.policy().roles.get(person_id)
        return person if person is not None and person.active else None

    def roles_of(self, person_id: str, at: datetime | None = None) -> set[str]:
        """The person's roles now, including acting (Plh/Plt) assignments covering today."""
        policy = self.policy()
        person = self.person(person_id)
        if person is None:
            return set()
        when = at or self.at
        acting = {a.role for a in policy.roles.acting if a.person == person_id
                  and a.covers(when, policy.tz)}  # fmt: skip
        return set(person.roles) | acting

    def role_title(self, role: str) -> str:
        return self.policy().roles.title(role, get_lang())

    def name(self, person_id: str | None) -> str:
        person = self.policy().roles.get(person_id) if person_id else None
        return person.name if person else (person_id or "—")

    # -- changes ---------------------------------------------------------------------------

    def forge(self) -> LocalForge:
        if self._forge is None:
            self._forge = LocalForge(self.repo, self.policy().settings)
        return self._forge

    def _report(self, change: Change) -> GateReport:
        return evaluate(self.forge(), change, when=self.at)

    def _activity(self, number: int) -> str:
        step = self.policy().sop.step(number)
        return step.activity(get_lang()) if step else MSG("protected")

    def _row(self, change: Change, report: GateReport | None) -> ChangeRow:
        pending = _first_pending(report) if report is not None else None
        return ChangeRow(
            id=change.id,
            title=change.title,
            author=change.author_login,
            author_name=self.name(change.author_login),
            state=change.state,
            opened_at=change.opened_at,
            step=pending.number if pending else None,
            step_activity=self._activity(pending.number) if pending else "",
            passed=bool(report.passed) if report is not None else False,
        )

    def _readable(
        self,
        state: ChangeState | None = None,
        fresh: Callable[[Change, GateReport], bool] | None = None,
    ) -> list[tuple[Change, GateReport | None]]:
        """``(change, gate report)`` of every change that can be read, the report only for an
        open one; the others are named in ``self.broken`` with why, and never stop the page.
        ``fresh(change)``: whether the page shows that change's times (a report of this minute)
        or only its verdict."""
        if self.cache is not None:
            return self._kept(state, fresh or (lambda _change, _report: True))
        pairs: list[tuple[Change, GateReport | None]] = []
        changes = self.forge().list_changes(state)
        self.broken = dict(self.forge().broken)
        for change in changes:
            try:
                pairs.append((change, self._report(change) if change.state == "open" else None))
            except TerbitError as error:
                self.broken[change.id] = str(error)
        return pairs

    # -- the same, reused between requests while the refs are the same -----------------------

    def _entries(self, only: str | None = None) -> dict[str, tuple[Key, Loaded]]:
        """Every change (or ``only`` that one) as this request's refs have it: reused from
        the cache, or read now when any of its tips (or main's) moved."""
        assert self.cache is not None
        refs = self.refs()
        keys = change_keys(refs)
        if only is not None:
            keys = {only: keys[only]} if only in keys else {}
        loaded = self.cache.loaded(
            keys, lambda ids: self._load(ids, refs), every=only is None,
            carry=lambda old, found: self._carry(old, found, refs),
            restore=lambda wanted: self._restore(wanted, refs), at=self.at,
        )  # fmt: skip
        return {i: (keys[i], loaded[i]) for i in loaded}

    def _restore(
        self, wanted: dict[str, Key], refs: dict[str, str]
    ) -> dict[str, tuple[Key, Loaded]]:
        """The readings kept on disk of ``wanted`` (after a start), with their records read
        again from Git by their tips (one batch); a change whose records cannot be read is
        read as usual, and says why."""
        assert self.cache is not None
        lang = get_lang()
        kept = self.cache.readings.restore(wanted, lang)
        chains = self._chains(list(kept), refs) if kept else {}
        return {
            change_id: (read_at, Loaded.of(reading, chains[change_id], lang))
            for change_id, (read_at, reading) in kept.items()
            if chains.get(change_id)
        }

    def _carry(self, old: str, found: dict[str, Loaded], refs: dict[str, str]) -> dict[str, Loaded]:
        """Those of ``found`` (read when main was at ``old``) that hold at main's tip now."""
        assert self.cache is not None
        new, settings = refs.get(MAIN, ""), self.policy().settings
        content = settings.content.path
        move = carry.moved(self.repo, old, new, content, settings.publish.records_path,
                           self.cache.metas)  # fmt: skip
        if move is None:
            return {}
        # A merged change stays as its merge made it; an unreadable one says why from its own
        # records.
        merged = {i: v for i, v in found.items() if v.change is None or v.change.state == "merged"}
        touching = {
            i: (frozenset(c.sha for c in v.change.commits), v.touches, v.change.head_sha)
            for i, v in found.items()
            if v.change is not None and v.change.state != "merged" and v.touches is not None
        }
        kept = carry.carried(self.repo, move, touching, content)
        return merged | {
            i: replace(v, change=replace(v.change, base_sha=new))
            for i, v in found.items()
            if i in kept and v.change is not None
        }

    def _load(self, ids: list[str], refs: dict[str, str]) -> dict[str, Loaded]:
        """Read ``ids`` with forges pinned to ``refs``: what is read is what the key says.
        The records come in one batch; the rest (git processes for the most part) is shared
        among ``LOAD_THREADS`` threads, each with its own repository handle."""
        assert self.cache is not None
        self.policy()  # read once, before the threads
        chains = self._chains(ids, refs)
        parts = [ids[n::LOAD_THREADS] for n in range(LOAD_THREADS)] if len(ids) > 1 else [ids]
        lang = get_lang()

        def load(part: list[str]) -> dict[str, Loaded]:
            set_lang(lang)  # the checks' lines are worded in the asking request's language
            return self._load_part(part, refs, chains, Repo(self.server))

        with ThreadPoolExecutor(len(parts), thread_name_prefix="terbit-load") as pool:
            return {i: v for found in pool.map(load, parts) for i, v in found.items()}

    def _load_part(
        self, ids: list[str], refs: dict[str, str], chains: dict[str, list[Stored]], repo: Repo
    ) -> dict[str, Loaded]:
        assert self.cache is not None
        forge = LocalForge(repo, self.policy().settings, base_tip=refs.get(MAIN),
                           pending=pinned_refs(refs, ids),
                           verdicts=self.cache.verdicts)  # fmt: skip
        found = {}
        for change_id in ids:
            try:
                chain = chains.get(change_id) or forge.chain(change_id)
                change = forge.get_change(change_id, chain)
            except (InputError, GitError) as error:
                found[change_id] = Loaded(None, [], None, str(error))
                continue
            drafts = draft_results(forge, change) if change.state == "open" else None
            found[change_id] = Loaded(
                change, chain, drafts.lines if drafts else None,
                diffs=self._diffs(change, repo), touches=_touches(repo, change),
                warnings=drafts.warnings if drafts else [], until=drafts.until if drafts else None,
                lang=get_lang(), read_time=self.at,
            )  # fmt: skip
        return found

    def _chains(self, ids: list[str], refs: dict[str, str]) -> dict[str, list[Stored]]:
        """The records of ``ids`` by their meta tips: kept ones, the others read together
        (one ``cat-file --batch`` per round). A chain that cannot be read is left out; the
        forge then says why, as before."""
        assert self.cache is not None
        tips = {i: refs.get(meta_ref(i), "") for i in ids}
        found = {i: self.cache.chains.get(i, tip) for i, tip in tips.items() if tip}
        wanted = {tip for i, tip in tips.items() if tip and found.get(i) is None}
        try:
            read = metachain.walk_many(self.repo, wanted) if wanted else {}
        except GitError:
            read = {}
        chains = {}
        for change_id, tip in tips.items():
            chain = found.get(change_id) or read.get(tip)
            if chain:
                chains[change_id] = self.cache.chains.put(change_id, tip, chain)
        return chains

    def _diffs(self, change: Change, repo: Repo | None = None) -> list[FileDiff]:
        """An open change's edits of published drafts (against main, as it would land)."""
        if change.state != "open" or not change.head_sha:
            return []
        try:
            return published_diffs(repo or self.repo, change.base_sha, change.head_sha,
                                   self.policy().settings.content.path)  # fmt: skip
        except GitError:
            return []  # objects missing: the checks' line already says the change is unreadable

    def _gate(self, key: Key, loaded: Loaded, fresh: bool) -> GateReport:
        """An open change's gate report, as ``evaluate`` makes it, from what was read:
        ``fresh``, with this request's time on it (the running step's minutes); otherwise
        the kept report without the clock (its verdict and steps only)."""
        assert self.cache is not None and loaded.change is not None
        change, policy = loaded.change, self.policy()

        def compute() -> GateReport:
            report = gate_evaluate(
                change, sop=policy.sop, roles=policy.roles,
                signatures_required=policy.settings.forge.signatures != "off", now=None,
                events={}, checks=loaded.checks, content_path=policy.settings.content.path,
                page_check=policy.settings.forge.page_check,
            )  # fmt: skip
            report.notes += loaded.warnings  # as the gate says them (a future date)
            return report

        kept = self.cache.report(change.id, key, loaded, compute)
        return at_time(kept, change, policy.sop, self.at) if fresh else kept

    def _kept(
        self, state: ChangeState | None, fresh: Callable[[Change, GateReport], bool]
    ) -> list[tuple[Change, GateReport | None]]:
        pairs: list[tuple[Change, GateReport | None]] = []
        self.broken = {}
        for change_id, (key, loaded) in sorted(self._entries().items(), key=lambda e: int(e[0])):
            change = loaded.change
            if change is None:
                self.broken[change_id] = loaded.error
                continue
            if state is not None and change.state != state:
                continue
            report = None
            try:
                if change.state == "open":
                    report = self._gate(key, loaded, False)
                    if fresh(change, report):
                        report = self._gate(key, loaded, True)
            except TerbitError as error:
                self.broken[change_id] = str(error)
                continue
            pairs.append((change, report))
        return pairs

    def _listed(self, state: ChangeState | None = None) -> list[Change]:
        """Every readable change (in ``state``), as the cache keeps them when there is one:
        the writer's form asks this on every check, and reading 500 changes took minutes."""
        if self.cache is None:
            return self.forge().list_changes(state)
        found = [loaded.change for _key, loaded in self._entries().values() if loaded.change]
        return [c for c in found if state is None or c.state == state]

    def changes(self) -> list[ChangeRow]:
        """Every readable change, newest first (``self.broken``: the unreadable ones)."""
        # The list shows each change's step and verdict, never a time: no report of this
        # minute needed.
        pairs = self._readable(fresh=lambda _change, _report: False)
        rows = [self._row(change, report) for change, report in pairs]
        return sorted(rows, key=lambda r: int(r.id), reverse=True)

    def change(self, change_id: str, person_id: str | None = None) -> ChangeView:
        """One change with its gate table, history and comments (and whether ``person_id``
        may review it now)."""
        forge = self.forge()
        if not CHANGE_ID.match(change_id):
            raise InputError(MSG("no_change", id=change_id[:12]))
        if self.cache is not None:
            key, loaded = self._entries(only=change_id).get(change_id) or (None, None)
            if key is None or loaded is None or loaded.change is None:
                raise InputError(MSG("no_change", id=change_id))
            change, chain, diffs = loaded.change, loaded.chain, loaded.diffs
            report = self._gate(key, loaded, True) if change.state == "open" else None
        else:
            try:
                change = forge.get_change(change_id)
                chain = forge.chain(change_id)
            except (InputError, GitError):
                raise InputError(MSG("no_change", id=change_id)) from None
            report, diffs = None, self._diffs(change)
        report = report or self._report(change)
        steps = [self._step(s) for s in [*report.steps, *report.extra]]
        publication = ""
        if change.state == "merged":
            outcome = outcome_for(forge, change)
            publication = str(outcome["status"]) if outcome else ""
            if outcome:  # what happened after the merge is the record's to say
                said = recorded_steps(
                    existing_record(forge.repo, forge.base_tip(), str(outcome["folder"]))
                )
                steps = [replace(s, **said[s.number]) if s.number in said else s for s in steps]
        return ChangeView(
            row=self._row(change, report),
            nota_dinas=change.nota_dinas_text,
            steps=steps,
            problems=list(report.problems) if change.state == "open" else [],
            notes=list(report.notes),
            events=self._events(
                chain,
                {r.id: r for r in change.reviews},
                {c.id: c.signed for c in change.page_checks},
            ),
            files=list(change.files),
            head_sha=change.head_sha,
            review_step=self._review_step(change, report, person_id) if person_id else None,
            closed_reason=change.close_reason if change.state == "closed" else "",
            publication=publication,
            diffs=diffs,
            merge_sha=change.merge_sha or "",
            data_dukung=[
                DocumentRow(
                    d.name,
                    d.media_type,
                    -(-d.size // 1024),
                    d.sha256,
                    self.name(d.by),
                    d.at,
                    d.signature_ok is not False,
                )
                for d in change.data_dukung
            ],
            may_attach=person_id is not None
            and change.state == "open"
            and change.author == person_id,
            page_check=self.policy().settings.forge.page_check,
            **self._merge_fields(change, report, person_id),
        )

    def _merge_fields(
        self, change: Change, report: GateReport, person_id: str | None
    ) -> dict[str, Any]:
        """Whether the person may merge now, and for the merging role's people why not."""
        if not person_id or change.state != "open":
            return {}
        why = self.merge_problem(change, report, person_id)
        merger = self.merge_role() in self.roles_of(person_id)
        return {"may_merge": why is None, "merge_why": (why or "") if merger else ""}

    def merge_role(self) -> str | None:
        """The role of the SOP step that merges (the one that uploads): the Admin Website."""
        step = step_of(self.policy().sop, "merge", "deploy")
        return step.role if step else None

    # -- the change's pages built with the site's theme -------------------------------------

    def site_preview(self, change_id: str) -> tuple[str, list[str]]:
        """Build (once per head commit and main's site files) an open change's pages with
        the site's theme; the build's key and the changed pages in it, articles first."""
        if not CHANGE_ID.match(change_id):
            raise InputError(MSG("no_change", id=change_id[:12]))
        if self.cache is not None:
            _key, loaded = self._entries(only=change_id).get(change_id) or (None, None)
            change = loaded.change if loaded is not None else None
        else:
            change = self.forge().get_change(change_id)
        if change is None:
            raise InputError(MSG("no_change", id=change_id))
        if change.state != "open" or not change.head_sha:
            raise NoPreview(MSG("no_preview", id=change_id))
        landed = self.repo.landed(change.base_sha, change.head_sha)
        drafts = [e.path for status, e in landed.changes if status != "D"]
        try:
            content = self.policy().settings.content.path
            site, pages = built(self.server, self.repo, change.base_sha, change.head_sha,
                                landed.tree, drafts, content)  # fmt: skip
        except TerbitError as error:  # e.g. main has no theme or settings to build with
            raise NoPreview(str(error)) from None
        if not pages:
            raise NoPreview(MSG("no_preview", id=change_id))
        return site.parent.name, pages

    def preview_file(self, key: str, path: str) -> Path | None:
        """A file of a built preview (None: no such build or file, or outside it)."""
        if not PREVIEW_KEY.match(key):
            return None
        return page_file(folder_of(self.server) / key / "site", path)

    def _step(self, status: StepStatus) -> StepRow:
        return StepRow(
            number=status.number,
            # The lines of tools (draft checks, page check) name themselves.
            activity=(
                status.kegiatan if status.proof in TOOL_LINES else self._activity(status.number)
            ),
            role=self.role_title(status.role),
            state=status.state,
            by=self.name(status.by) if status.by else "",
            at=status.at,
            elapsed=status.elapsed_minutes,
            standard=status.minutes,
            over=status.over_minutes,
            running=status.running,
            note=status.timing_note,
            reason=status.reason,
            author_minutes=status.author_minutes,
        )

    def _minutes(self, start: datetime, end: datetime) -> int:
        calendar = self.policy().sop.calendar
        return calendar.minutes(start, end) if calendar is not None else minutes_between(start, end)

    def _events(
        self, chain: list[Stored], reviews: dict[str, Review], checks: dict[str, bool] | None = None
    ) -> list[EventRow]:
        rows: list[EventRow] = []
        previous: datetime | None = None
        for stored in chain:
            event = stored.event
            if event is None:
                continue
            kind, body, signature = event.type, "", ""
            if kind == "review":
                kind = f"review:{event.get('state')}"
                body = str(event.get("body") or "")
                review = reviews.get(stored.sha)
                if review is not None and review.signature_ok is False:
                    signature = review.signature_note
            elif kind == "closed":
                body = str(event.get("reason") or "")
            elif kind == "notice":
                body = str(event.get("text") or "")
            elif kind == "check":  # the server's page check (its findings are on the gate's line)
                body = MSG("check_body", sha=str(event.get("head"))[:7],
                             pages=len(event.get("pages")), new=len(event.get("new")),
                             known=len(event.get("known")))  # fmt: skip
                if not (checks or {}).get(stored.sha):
                    signature = MSG("check_unsigned")
            minutes = self._minutes(previous, event.at) if previous is not None else None
            rows.append(EventRow(kind, self.name(event.by), event.at, minutes, body, signature))
            previous = event.at
        return rows

    def waiting_for(self, person_id: str) -> list[Waiting]:
        """What waits for this person's roles (or, after a request for changes, for them as the
        author), newest first, timed by the gate in working minutes."""
        return [self._timed(pending) for pending in self._waiting(person_id)]

    def waiting_page(self, person_id: str, page: int) -> tuple[list[Waiting], int, int]:
        """Page ``page`` of ``waiting_for`` (the last when past it), only its rows timed: the
        rows, the page shown and how many pages there are."""
        found = self._waiting(person_id)
        pages = max(1, -(-len(found) // WAITING_PAGE))
        page = min(max(1, page), pages)
        shown = found[(page - 1) * WAITING_PAGE : page * WAITING_PAGE]
        return [self._timed(pending) for pending in shown], page, pages

    def waiting_count(self, person_id: str) -> int:
        """How many things wait for this person (nothing timed)."""
        return len(self._waiting(person_id))

    def _waiting(self, person_id: str) -> list[_Pending]:
        """``waiting_for`` untimed: which steps wait for the person and since when need no
        clock, so every kept report serves as it is and only the rows shown are timed."""
        mine = self.roles_of(person_id)

        def waits(change: Change, status: StepStatus) -> bool:
            if _author_turn(change, status):
                return change.author_login == person_id
            return status.role in mine and change.author_login != person_id

        found = []
        for change, report in self._readable("open", fresh=lambda _change, _report: False):
            for status in _waiting_steps(report) if report is not None else []:
                if not waits(change, status):
                    continue
                fixing = _author_turn(change, status)
                since = max(status.change_requests) if fixing else None
                found.append(_Pending(change, status, since or status.started_at
                                      or change.opened_at, fixing))  # fmt: skip
        # Newest first; in one second, the higher change number was opened later.
        return sorted(found, key=lambda w: (w.since, int(w.change.id)), reverse=True)

    def _timed(self, pending: _Pending) -> Waiting:
        change, since = pending.change, pending.since
        status = step_at_time(pending.status, change, self.policy().sop, self.at)
        elapsed = self._minutes(since, self.at) if pending.fixing else status.elapsed_minutes
        return Waiting(
            change_id=change.id,
            title=change.title,
            step=status.number,
            activity=MSG("author_fix") if pending.fixing else self._activity(status.number),
            submitter=self.name(change.author_login),
            since=since,
            elapsed=elapsed or 0,
            standard=status.minutes,
            over=0 if pending.fixing else status.over_minutes,
        )

    # -- reviews from the browser ----------------------------------------------------------

    def _review_step(self, change: Change, report: GateReport, person_id: str) -> int | None:
        """The review step of ``change`` that waits for one of ``person_id``'s roles now."""
        if change.state != "open" or change.author_login == person_id:
            return None
        mine = self.roles_of(person_id)
        for status in _waiting_steps(report):
            if status.gate and status.role in mine and not _author_turn(change, status):
                return int(status.number)
        return None

    def _who_may(self, report: GateReport) -> str:
        roles = {s.role for s in _waiting_steps(report) if s.gate}
        return ", ".join(sorted(self.role_title(r) for r in roles)) or "—"

    def _clone(self) -> LocalForge:
        """The web application's own clone of the server, synced; writes go through its
        hooks like anyone's push."""
        path = self.server / "terbit" / "web" / "clone"
        repo = Repo(path) if (path / ".git").is_dir() else Repo.clone(str(self.server), path)
        forge = LocalForge(repo, self.policy().settings, remote="origin")
        forge.sync()
        return forge

    def _open_in_clone(self, change_id: str) -> tuple[LocalForge, Change]:
        """The app's clone, synced, and the change in it, still open (else why not)."""
        forge = self._clone()
        try:
            change = forge.get_change(change_id)
        except InputError:
            raise InputError(MSG("no_change", id=change_id)) from None
        if change.state != "open":
            raise StaleError(MSG("not_open", id=change_id, state=change.state))
        return forge, change

    def _cloned_change(self, change_id: str) -> tuple[LocalForge, Change]:
        """The app's clone, synced, and the change as it holds it (writes go through it)."""
        forge = self._clone()
        try:
            return forge, forge.get_change(change_id)
        except InputError:
            raise InputError(MSG("no_change", id=change_id)) from None

    def review(
        self, person_id: str, change_id: str, state: str, body: str, *, key: Path, seen_head: str
    ) -> None:
        """Record ``person_id``'s signed review (signed with ``key``) of the change's head, if
        the change waits for their role now and has not moved since they looked at it."""
        if not CHANGE_ID.match(change_id):
            raise InputError(MSG("no_change", id=change_id[:12]))
        person = self.person(person_id)
        if person is None:
            raise AccessError(MSG("not_your_step", id=change_id, roles="—"))
        with _WRITE_LOCK:
            forge, change = self._open_in_clone(change_id)
            forge, change = self._cloned_change(change_id)
            if change.state != "open":
                raise StaleError(MSG("not_open", id=change_id, state=change.state))
            report = self._report(change)
            if change.author_login == person_id:
                raise AccessError(MSG("own_change", id=change_id))
            if self._review_step(change, report, person_id) is None:
                raise AccessError(MSG("not_your_step", id=change_id, roles=self._who_may(report)))
            if change.head_sha != seen_head:
                raise StaleError(MSG("stale", id=change_id))
            who = client.Identity(person, key, person.name, person.email)
            if state == "approve":
                why = approval_problem(forge, change, person_id)
                if why:
                    raise InputError(MSG("wont_count", why=why))
            client.review(forge, who, change_id, state, body)

    # -- merging from the browser (Admin Website, step 6) ------------------------------------

    def merge_problem(self, change: Change, report: GateReport, person_id: str) -> str | None:
        """Why ``person_id`` may not merge ``change`` now (None: the merge button is theirs):
        the same rules as ``terbit merge`` and the server's ``pre-receive``."""
        if change.state != "open":
            return MSG("not_open", id=change.id, state=change.state)
        policy = self.policy()
        why = merger_problem(policy.sop, policy.roles, change, person_id)
        if why:
            return why
        return None if report.passed else MSG("gate_open", id=change.id)

    def merge(self, person_id: str, change_id: str, *, key: Path, seen_head: str) -> str:
        """Merge the change as ``person_id`` (signed with ``key``) through the app's clone, so
        the server's hooks check it and start publishing as for anyone; the merge's sha."""
        if not CHANGE_ID.match(change_id):
            raise InputError(MSG("no_change", id=change_id[:12]))
        person = self.person(person_id)
        if person is None:
            raise AccessError(MSG("no_merge_role"))
        with _WRITE_LOCK:
            forge, change = self._open_in_clone(change_id)
            policy = self.policy()
            why = merger_problem(policy.sop, policy.roles, change, person_id)
            if why:
                raise AccessError(why)
            if change.head_sha != seen_head:
                raise StaleError(MSG("stale", id=change_id))
            who = client.Identity(person, key, person.name, person.email)
            sha, _server = client.merge(forge, who, change_id)
            return sha

    # -- data dukung (supporting documents) ----------------------------------------------------

    def data_dukung_file(self, change_id: str, name: str) -> tuple[bytes, str] | None:
        """``(bytes, media type)`` of one supporting document, only as its signed record names
        it (name, SHA-256); None when the change has none of that name."""
        if not CHANGE_ID.match(change_id):
            return None
        forge = self.forge()
        try:
            change = forge.get_change(change_id)
        except (InputError, GitError):
            return None
        document = next((d for d in change.data_dukung if d.name == name), None)
        data = forge.data_dukung_bytes(document) if document else None
        return (data, document.media_type) if data is not None and document else None

    def attach(self, person_id: str, change_id: str, name: str, data: bytes, *, key: Path) -> None:
        """The submitter attaches one supporting document to their open change, signed with
        ``key``; the rules (type by content, size, name, who, when) are the forge's."""
        if not CHANGE_ID.match(change_id):
            raise InputError(MSG("no_change", id=change_id[:12]))
        person = self.person(person_id)
        with _WRITE_LOCK:
            forge, change = self._cloned_change(change_id)
            if person is None or change.author != person_id:
                raise AccessError(MSG("not_attacher", id=change_id))
            if change.state != "open":
                raise StaleError(MSG("not_open", id=change_id, state=change.state))
            who = client.Identity(person, key, person.name, person.email)
            client.attach(forge, who, change_id, [(name, data)])

    # -- records and the compliance report ---------------------------------------------------

    def _records_path(self) -> str:
        return self.policy().settings.publish.records_path.strip("/")

    def records(self) -> list[RecordRow]:
        """Completion records on main, newest first."""
        found = collect(self.repo, self._records_path(), self.policy().tz, lambda _day: True)
        base = self._records_path()
        pdfs = self.repo.blob_ids(
            f"refs/heads/main:{base}/{r['_folder']}/{PDF_NAME}" for r in found.everything
        )
        rows = []
        for record in found.everything:
            folder = str(record["_folder"])
            change = record.get("change") or {}
            rows.append(
                RecordRow(
                    folder=folder,
                    change_id=str(change.get("id", "")),
                    title=str(record.get("judul") or change.get("title") or ""),
                    status=str(record.get("status", "")),
                    published=record["_day"].isoformat() if record.get("_day") else "",
                    has_pdf=pdfs.get(f"refs/heads/main:{base}/{folder}/{PDF_NAME}") is not None,
                )
            )
        return sorted(rows, key=lambda r: (r.published, r.folder), reverse=True)

    def record_pdf(self, folder: str) -> bytes | None:
        """The record's PDF as committed on main; None unless ``folder`` is a listed record."""
        if not RECORD_FOLDER.match(folder) or folder not in {r.folder for r in self.records()}:
            return None
        return self.repo.show_bytes(
            "refs/heads/main", f"{self._records_path()}/{folder}/{PDF_NAME}"
        )

    def compliance_body(self, month: str) -> str:
        """The body of ``terbit report --month``'s own HTML for ``month`` (YYYY-MM).

        The report's renderer escapes every value it writes. Its ``<style>`` is served apart
        (``report_css``) and its few print-only ``style`` attributes are dropped, so the page
        keeps a CSP without inline style.
        """
        period = parse_period(month, None, None, None)
        policy = self.policy()
        made = make_report(
            self.repo, settings=policy.settings, sop=policy.sop, roles=policy.roles,
            period=period, forge=self.forge(), formats=("html",),
        )  # fmt: skip
        text = next(data for name, data in made.files.items() if name.endswith(".html")).decode()
        found = re.search(r"<body[^>]*>(.*)</body>", text, re.DOTALL)
        return re.sub(r' style="[^"]*"', "", found.group(1) if found else "")

    # -- writing a draft --------------------------------------------------------------------

    def writer_role(self) -> str:
        """The role that writes drafts: the one of the SOP's first step."""
        return self.policy().sop.steps[0].role

    def categories(self) -> list[str]:
        return list(self.policy().settings.content.categories)

    def draft_path(self, slug: str) -> str:
        return f"{self.policy().settings.content.path}/articles/{slug}.md"

    def draft_remarks(
        self,
        form: DraftForm,
        author: str,
        files: Mapping[str, bytes] | None = None,
        *,
        fixing: str | None = None,
    ) -> list[Remark]:
        """The draft checks of ``terbit check`` on the typed draft, placed beside the field or
        body line each concerns. The draft is checked in a scratch folder holding only main's
        terbit.yml and roles.yml, the draft itself and ``files`` (its photos, by path in the
        repository): nothing of it is run or imported. ``fixing``: the draft file of the change
        being fixed (its slug is then its own, not taken)."""
        remarks: list[Remark] = []
        if fixing is None:
            remarks += self._slug_remarks(form.slug)
        slug = form.slug if SLUG_RE.match(form.slug) else "draf"
        text, where, body_start = form.lines(author)
        rel = fixing or self.draft_path(slug)
        with tempfile.TemporaryDirectory(prefix="terbit-draf-") as scratch:
            root = Path(scratch)
            for name in (SETTINGS_FILE, ROLES_FILE):
                committed = self.repo.show_file("refs/heads/main", name)
                if committed is not None:
                    (root / name).write_text(committed, encoding="utf-8")
            for path, data in (files or {}).items():
                if path.startswith(self.policy().settings.content.path + "/") and ".." not in path:
                    (root / path).parent.mkdir(parents=True, exist_ok=True)
                    (root / path).write_bytes(data)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
            found = check_paths(root, self.policy().settings, [root / rel])
        for finding in found.findings:
            line = finding.line
            if line is not None and line >= body_start:
                remarks.append(Remark("body", line - body_start + 1, finding.message))
            elif line is not None and line in where:
                remarks.append(Remark(where[line], None, finding.message))
            else:
                remarks.append(Remark("", None, finding.message))
        return remarks

    def theme_css(self) -> str:
        """The site theme's stylesheet as committed on main (the live preview wears it)."""
        tip = self.refs().get(MAIN) if self.cache else self.repo.rev_parse(MAIN)
        kept = self.cache.policies.get("theme_css", tip) if self.cache else None
        if isinstance(kept, str):
            return kept
        text = (self.repo.show_file(tip, THEME_CSS) if tip else None) or ""
        if self.cache:
            self.cache.policies.put("theme_css", tip, text)
        return text

    def _slug_remarks(self, slug: str) -> list[Remark]:
        if not SLUG_RE.match(slug):
            return [Remark("slug", None, MSG("slug"))]
        path = self.draft_path(slug)
        if self.repo.show_file("refs/heads/main", path) is not None:
            return [Remark("slug", None, MSG("slug_taken", path=path))]
        for change in self._listed("open"):
            if path in change.files:
                return [Remark("slug", None, MSG("slug_open", path=path, id=change.id))]
        return []

    # -- submitting from the browser --------------------------------------------------------

    def image_folder(self) -> str:
        return f"{self.policy().settings.content.path}/images"

    def image_rules(self) -> tuple[frozenset[str], int]:
        """The image types of the content model and the site's size limit (KB)."""
        return IMAGE_SUFFIXES, self.policy().settings.content.image_max_kb

    def _numbered(self) -> list[Numbered]:
        found = []
        for change in self._listed():
            try:
                nota = parse_nota_dinas(change.nota_dinas_text)
            except InputError:
                continue  # an unreadable memo numbers nothing
            found.append(Numbered(nota.nomor, nota.tanggal, change.author_login,
                                  change.opened_at.timestamp()))  # fmt: skip
        return found

    def nota_defaults(self, person_id: str) -> NotaForm:
        """The nota dinas form prefilled from roles.yml on main: to the head of office (the
        role of the SOP's disposition step), from the writer, today, the next number."""
        policy = self.policy()
        today = now().astimezone(policy.tz).date()
        writer = self.person(person_id)
        head_role = next((s.role for s in policy.sop.steps if s.proof == "approval"), "")
        head = next((p for p in policy.roles.people if p.active and head_role in p.roles), None)
        # The blank form's own wording (``terbit submit --form``) for what roles.yml lacks.
        sample = f"ND-1/X/{ROMAN[today.month - 1]}/{today.year}"
        blank = parse_nota_dinas(nota_template(nomor=sample, dari="-", tanggal=today))
        return NotaForm(
            nomor=suggest_nomor(self._numbered(), today, person_id),
            yth=(head.jabatan if head and head.jabatan else blank.yth),
            dari=(writer.jabatan or writer.name) if writer else "",
            hal=blank.hal,
            tanggal=today.isoformat(),
            sifat="Biasa",
            lampiran="Draf artikel",
            isi=blank.isi,
        )

    def nota_remarks(self, nota: NotaForm, person_id: str) -> tuple[str, list[Remark]]:
        """The memo text ``terbit submit`` would send and its problems, beside their field
        (read by the same parser; the signer's name and NIP come from roles.yml)."""
        person = self.person(person_id)
        text, where = nota.text(nama=person.name if person else "",
                                nip=person.nip if person else "")  # fmt: skip
        remarks = []
        if why := nota.missing_reason():
            remarks.append(Remark("alasan_segera", None, why))
        try:
            parse_nota_dinas(text, "nota dinas")
        except InputError as error:
            line = error.line or 0
            spot = where.get(line) or ("isi" if line >= max(where) else "nota")
            remarks.append(Remark(spot, None, error.message))
        return text, remarks

    def _writer_of(self, person_id: str) -> Person:
        person = self.person(person_id)
        role = self.writer_role()
        if person is None or role not in self.roles_of(person_id):
            raise AccessError(MSG("not_writer", roles=self.role_title(role)))
        return person

    def submit_draft(self, person_id: str, form: DraftForm, nota_text: str,
                     photos: Mapping[str, bytes], *, key: Path) -> str:  # fmt: skip
        """Open a change for the typed draft exactly as ``terbit new`` + ``terbit submit``
        would: a branch ``draft/<slug>`` from main with one commit signed with ``key`` (the
        draft and its photos), then the change with its nota dinas, pushed through the app's
        clone so the server's hooks check it. ``photos``: path in the repository -> bytes
        (only paths under the image folder are taken). Returns the change id."""
        person = self._writer_of(person_id)
        with _WRITE_LOCK:
            forge = self._clone()
            if taken := self._slug_remarks(form.slug):
                raise InputError(taken[0].message)
            base = forge.base_tip()
            path = self.draft_path(form.slug)
            folder = self.image_folder() + "/"
            files = {path: form.lines(person_id)[0].encode("utf-8")}
            files |= {path: data for path, data in photos.items() if path.startswith(folder)}
            tree = forge.repo.tree_with_files(base, files)
            sha = forge.repo.commit_tree_signed(
                tree, [base], MSG("commit_new", title=form.title), name=person.name,
                email=person.email, key=str(key),
            )  # fmt: skip
            forge.repo.switch_reset(f"draft/{form.slug}", sha)
            who = client.Identity(person, key, person.name, person.email)
            change_id, _opened = client.submit(forge, who, nota_text=nota_text, title=form.title)
            return change_id

    def _draft_file(self, change: Change) -> str:
        content = self.policy().settings.content.path
        for path in change.files:
            folder, _, name = path.rpartition("/")
            if folder in (f"{content}/articles", f"{content}/pages") and name.endswith(".md"):
                return path
        raise InputError(MSG("no_draft", id=change.id))

    def fix_view(self, change_id: str, person_id: str) -> FixView:
        """The open change ``change_id`` of ``person_id`` as the editor shows it to be fixed."""
        forge = self.forge()
        change = _change_of(forge, change_id)
        if change.author_login != person_id:
            raise AccessError(
                MSG("not_author", id=change_id, author=self.name(change.author_login))
            )
        if change.state != "open":
            raise StaleError(MSG("not_open", id=change_id, state=change.state))
        path = self._draft_file(change)
        text = self.repo.show_file(change.head_sha, path) or ""
        parsed = parse_front_matter(text, path)
        meta = parsed.meta

        def shown(value: object) -> str:
            if isinstance(value, datetime):
                return value.strftime("%Y-%m-%d %H:%M")
            return "" if value is None else str(value)

        tags = meta.get("tags")
        form = DraftForm(
            slug=path.rpartition("/")[2].removesuffix(".md"),
            title=shown(meta.get("title")),
            category=shown(meta.get("category")),
            tags=", ".join(str(t) for t in tags) if isinstance(tags, list) else shown(tags),
            summary=shown(meta.get("summary")),
            date=shown(meta.get("date")),
            featured=meta.get("featured") is True,
            body=parsed.body.lstrip("\n"),
        )
        content = self.policy().settings.content.path + "/"
        others = [p for p in change.files if p != path and p.startswith(content)]
        blobs = {p: self.repo.show_bytes(change.head_sha, p) for p in others}
        return FixView(
            change_id=change_id, form=form, path=path, nota_dinas=change.nota_dinas_text,
            seen=forge.ref(meta_ref(change_id)) or "",
            files={p: data for p, data in blobs.items() if data is not None},
        )  # fmt: skip

    def fix_draft(self, person_id: str, change_id: str, form: DraftForm,
                  photos: Mapping[str, bytes], *, key: Path, seen: str) -> None:  # fmt: skip
        """Send the author's fix of ``change_id`` as ``terbit submit`` sends new commits: one
        commit on the change's head signed with ``key``, pushed to the same change — refused
        when anything happened to the change since the editor was opened (``seen``)."""
        with _WRITE_LOCK:
            forge = self._clone()
            change = _change_of(forge, change_id)
            person = self.person(person_id)
            if person is None or change.author_login != person_id:
                author = self.name(change.author_login)
                raise AccessError(MSG("not_author", id=change_id, author=author))
            if change.state != "open":
                raise StaleError(MSG("not_open", id=change_id, state=change.state))
            if forge.ref(meta_ref(change_id)) != seen:
                raise StaleError(MSG("fix_stale", id=change_id))
            path = self._draft_file(change)
            current = parse_front_matter(forge.repo.show_file(change.head_sha, path) or "", path)
            author = str(current.meta.get("author") or person_id)  # the byline stays as it was
            folder = self.image_folder() + "/"
            files = {path: form.lines(author)[0].encode("utf-8")}
            files |= {path: data for path, data in photos.items() if path.startswith(folder)}
            tree = forge.repo.tree_with_files(change.head_sha, files)
            if tree == forge.repo.tree_of(change.head_sha):
                raise InputError(MSG("unchanged", id=change_id))
            sha = forge.repo.commit_tree_signed(
                tree, [change.head_sha], MSG("commit_fix", title=form.title), name=person.name,
                email=person.email, key=str(key),
            )  # fmt: skip
            branch = str(forge.opened_event(change_id).get("branch") or f"draft/{form.slug}")
            forge.repo.switch_reset(branch, sha)
            # `terbit submit` finds the change this branch feeds by this setting, as in a clone.
            forge.repo.config(f"branch.{branch}.terbit-change", change_id)
            who = client.Identity(person, key, person.name, person.email)
            client.submit(forge, who, nota_text=None)

    def preview(self, body: str) -> str:
        """The body as the site will show it: Pelican's own Markdown settings, then the site's
        sanitiser and table wrapping (the same steps as the build's sanitising plugin)."""
        settings = PELICAN_DEFAULTS["MARKDOWN"]
        html = markdown.Markdown(
            extensions=list(settings["extension_configs"]),
            extension_configs=settings["extension_configs"],
            output_format=settings.get("output_format", "html5"),
        ).convert(body)
        hosts = self.policy().settings.content.iframe_hosts
        return scrollable_tables(sanitize(html, iframe_hosts=hosts).html, get_lang())


@dataclass(frozen=True)
class FixView:
    """A change its author fixes in the editor: the draft as the change holds it now."""

    change_id: str
    form: DraftForm
    path: str  # the draft file the editor rewrites
    nota_dinas: str
    seen: str  # the change's record tip when the editor was opened (a stale form is refused)
    files: dict[str, bytes]  # the change's other content files, for the checks


def report_css() -> str:
    """The compliance report's own stylesheet (served as a file: no inline style on a page)."""
    return REPORT_CSS + OFFICIAL_CSS


def _change_of(forge: LocalForge, change_id: str) -> Change:
    """Change ``change_id`` of ``forge``, or an InputError saying it is not there."""
    if not CHANGE_ID.match(change_id):
        raise InputError(MSG("no_change", id=change_id[:12]))
    try:
        return forge.get_change(change_id)
    except (InputError, GitError):
        raise InputError(MSG("no_change", id=change_id)) from None


def _touches(repo: Repo, change: Change) -> frozenset[str] | None:
    """The paths the change's commits change since its merge base with main (what its
    results read from main besides the policy); None when that cannot be said."""
    if change.state == "merged" or not change.head_sha:
        return None
    try:
        base = repo.merge_base(change.base_sha, change.head_sha)
        return frozenset(repo.changed_files(base, change.head_sha)) if base else None
    except GitError:
        return None


def _first_pending(report: GateReport) -> StepStatus | None:
    steps = _waiting_steps(report)
    return steps[0] if steps else None


def _waiting_steps(report: GateReport) -> list[StepStatus]:
    """The step(s) an open change waits at: the first step not done, plus a pending
    protected-files approval."""
    # A withdrawal's skipped review steps wait for nobody: its own approval is in ``extra``.
    first = next((s for s in report.steps if s.state != "done" and not s.skipped), None)
    extra = [s for s in report.extra if s.state != "done"]
    if report.withdrawal is not None and extra:
        return extra  # the admin's merge waits for the path's approval
    return ([first] if first is not None else []) + extra


def _author_turn(change: Change, status: StepStatus) -> bool:
    """True when the step's role asked for changes and the author has not answered yet."""
    if not status.change_requests:
        return False
    asked = max(status.change_requests)
    # Records carry whole seconds: a request made in the second of the last push is ordered by
    # the head it looked at (the author has not answered a request about the current head).
    if any(r.at == asked and r.state == "request_changes" and r.commit == change.head_sha
           for r in change.reviews):  # fmt: skip
        return True
    last_push = max((p.at for p in change.pushes), default=change.opened_at)
    return asked > last_push
