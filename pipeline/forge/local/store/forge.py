"""The embedded forge: changes, reviews and merges read from Git refs (server or clone).

On the server (a bare repository) the target branch is ``refs/heads/main``; in a clone it is
``refs/remotes/origin/main`` and the change refs are fetched from ``origin`` by ``sync()``.
Signatures are checked against ``roles.yml`` of the target branch tip, never of the change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.change.data_dukung import safe_name
from pipeline.change.model import (
    Change,
    ChangeState,
    CommitInfo,
    PageCheck,
    PageFinding,
    Push,
    Review,
    SupportingFile,
)
from pipeline.config.roles import ROLES_FILE, Roles, load_roles
from pipeline.config.settings import Settings, committed_settings
from pipeline.draft.content_model import shown_name
from pipeline.errors import ConfigError, InputError
from pipeline.forge.base import Notice
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.events import (
    CHANGE_TRAILER,
    REF_PREFIX,
    REF_RE,
    Event,
    head_ref,
    meta_ref,
)
from pipeline.forge.local.store.signing import MSG as SIG_MSG
from pipeline.forge.local.store.signing import Verifier, server_signed, sign
from pipeline.forge.local.store.verdicts import Verdicts
from pipeline.i18n import Catalog
from pipeline.vcs import GitError, Repo

MSG = Catalog(
    {
        "unknown": (
            "perubahan #{id} tidak ditemukan; lihat daftar dengan `terbit changes`",
            "change #{id} not found; list them with `terbit changes`",
        ),
        "broken": (
            "catatan perubahan #{id} rusak: {why}",
            "the records of change #{id} are damaged: {why}",
        ),
        "no_base": (
            "cabang tujuan '{base}' belum ada; minta admin mengisi repositori server dulu",
            "target branch '{base}' does not exist yet; ask the admin to seed the server",
        ),
        "no_roles": (
            "roles.yml tidak ada di cabang tujuan; tanda tangan tidak dapat diperiksa",
            "roles.yml is missing on the target branch; signatures cannot be checked",
        ),
        "moved": (
            "catatan ini disalin dari tempat lain (perubahan/urutan tidak cocok); tidak dihitung",
            "this record was copied from elsewhere (change/position mismatch); it does not count",
        ),
    }
)

BASE_BRANCH = "main"
COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
CHAINS_KEPT = 256  # changes' records one reader keeps (a command reads a handful)


def settings_at(repo: Repo, rev: str | None) -> Settings:
    """``terbit.yml`` as committed at ``rev`` of the target branch (defaults when it has none)."""
    return committed_settings(lambda path: repo.show_file(rev, path) if rev else None)


def main_settings(repo: Repo) -> Settings:
    """``terbit.yml`` as committed on the server's main (a bare repository has no work tree)."""
    return settings_at(repo, repo.rev_parse(f"refs/heads/{BASE_BRANCH}"))


def notice_data(text: str, attachments: list[Path]) -> dict[str, Any]:
    """The stored form of a step-7 notice: its text and the names of its attachments."""
    return {"text": text, "attachments": [p.name for p in attachments]}


class LocalForge:
    """The changes stored in Git refs, read on the server or in a clone; on the server it also
    appends what the server itself records (merges, notices)."""

    kind = "local"

    def __init__(
        self,
        repo: Repo,
        settings: Settings,
        *,
        remote: str | None = None,
        base_tip: str | None = None,
        pending: dict[str, str] | None = None,
        verdicts: Verdicts | None = None,
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.remote = remote
        self.base_ref = (
            f"refs/remotes/{remote}/{BASE_BRANCH}" if remote else f"refs/heads/{BASE_BRANCH}"
        )
        self._base_tip = base_tip
        self._pending = pending or {}
        # In memory unless given: kept on disk only by readers that trust the repository's
        # state folder (its hooks, a person's commands), never by an audit (`terbit verify`).
        self._verdicts = Verdicts() if verdicts is None else verdicts
        self.broken: dict[str, str] = {}  # change id -> why it cannot be read
        self._tmp = tempfile.TemporaryDirectory(prefix="terbit-forge-")
        self._verifiers: dict[str, Verifier] = {}
        self._server_keys: dict[str, str | None] = {}
        self._merges: dict[str, tuple[str, list[str], datetime]] | None = None
        # A change's records by its meta tip (content-addressed: never stale).
        self._chains: dict[str, list[metachain.Stored]] = {}
        self._files: dict[tuple[str, str], str | None] = {}  # (commit, path) -> its text
        # A clone's refs, read once until the next ``sync`` (only a fetch moves them).
        self._fetched: dict[str, str] | None = None
        self.synced = False  # a clone fetched, and pushed nothing since

    # -- refs and policy -------------------------------------------------------------------

    def sync(self) -> None:
        """Fetch the target branch and every change from the server (clones only)."""
        if not self.remote:
            return
        self.repo.run(
            "fetch", "--quiet", "--prune", self.remote,
            f"+refs/heads/{BASE_BRANCH}:{self.base_ref}",
            f"+{REF_PREFIX}*:{REF_PREFIX}*",
        )  # fmt: skip
        self._merges = None
        self._fetched = None
        self.synced = True

    def signatures_required(self) -> bool:
        return self.settings.forge.signatures != "off"

    def base_tip(self) -> str:
        tip = self._base_tip or self._rev(self.base_ref)
        if not tip:
            raise ConfigError(MSG("no_base", base=BASE_BRANCH))
        return tip

    def ref(self, name: str) -> str | None:
        if name in self._pending:
            return self._pending[name] or None
        return self._rev(name)

    def _rev(self, name: str) -> str | None:
        return self._fetched_refs().get(name) if self.remote else self.repo.rev_parse(name)

    def _fetched_refs(self) -> dict[str, str]:
        if self._fetched is None:
            self._fetched = self.repo.commit_refs(REF_PREFIX, self.base_ref)
        return self._fetched

    def change_ids(self) -> list[str]:
        known = self._fetched_refs() if self.remote else self.repo.commit_refs(REF_PREFIX)
        tips = {**known, **self._pending}  # a pending "" is a ref being deleted
        ids = {found.group(1) for name, sha in tips.items()
               if sha and (found := REF_RE.match(name)) and found.group(2) == "meta"}  # fmt: skip
        return sorted(ids, key=int)

    def heads_merged_into(self, rev: str) -> list[str]:
        """Ids of changes whose head is in the history of ``rev`` (one git call)."""
        ids = []
        for name in self.repo.refs_merged_into(rev, f"{REF_PREFIX}*/head"):
            found = REF_RE.match(name)
            if found:
                ids.append(found.group(1))
        return sorted(ids, key=int)

    def roles_at(self, tip: str) -> Roles:
        text = self.read_file(tip, ROLES_FILE)
        if text is None:
            raise ConfigError(MSG("no_roles"), path=ROLES_FILE)
        return load_roles(text, ROLES_FILE)

    def verifier(self, tip: str) -> Verifier:
        if tip not in self._verifiers:
            folder = Path(self._tmp.name) / tip[:12]
            self._verifiers[tip] = Verifier(self.roles_at(tip), folder, self._verdicts)
        return self._verifiers[tip]

    def read_file(self, rev: str, path: str) -> str | None:
        if rev in (BASE_BRANCH, f"refs/heads/{BASE_BRANCH}"):
            rev = self.base_tip()
        if not COMMIT_ID.fullmatch(rev):
            return self.repo.show_file(rev, path)
        if (rev, path) not in self._files:  # a commit's file never changes: read it once
            self._files[rev, path] = self.repo.show_file(rev, path)
        return self._files[rev, path]

    def settings_at(self, tip: str) -> Settings:
        """``terbit.yml`` as committed at ``tip`` of the target branch."""
        return committed_settings(lambda path: self.read_file(tip, path))

    def merges(self) -> dict[str, tuple[str, list[str], datetime]]:
        """Change id -> (merge sha, parents, when) for merges on the target branch."""
        if self._merges is None:
            self._merges = {}
            for sha, parents, when, change in reversed(self.repo.merge_log(self.base_tip())):
                if change and change not in self._merges:
                    self._merges[change] = (sha, parents, when)
        return self._merges

    # -- reading changes ---------------------------------------------------------------------

    def chain(self, change_id: str) -> list[metachain.Stored]:
        tip = self.ref(meta_ref(change_id))
        if not tip:
            raise InputError(MSG("unknown", id=change_id))
        if tip not in self._chains:
            if len(self._chains) >= CHAINS_KEPT:  # a long-lived reader: start afresh
                self._chains.clear()
            self._chains[tip] = metachain.walk(self.repo, tip)
        return list(self._chains[tip])

    def list_changes(self, state: ChangeState | None = None) -> list[Change]:
        """Readable changes; unreadable ones are listed in ``self.broken`` instead of failing."""
        changes = []
        self.broken = {}
        for change_id in self.change_ids():
            try:
                changes.append(self.get_change(change_id))
            except (InputError, GitError) as error:
                self.broken[change_id] = str(error)
        return [c for c in changes if state is None or c.state == state]

    def opened_event(self, change_id: str) -> Event:
        first = self.chain(change_id)[0]
        if first.event is None or first.event.type != "opened":
            raise InputError(MSG("broken", id=change_id, why=first.error or "opened"))
        return first.event

    def signature(self, stored: metachain.Stored, tip: str) -> tuple[bool | None, str]:
        if not self.signatures_required():
            return None, SIG_MSG("off")
        assert stored.event is not None
        return self.verifier(tip).check(stored.raw, stored.signature, stored.event.by)

    def server_signed(self, stored: metachain.Stored, tip: str) -> bool:
        """Whether the server key ``terbit.yml`` names at ``tip`` signed this record."""
        if tip not in self._server_keys:
            try:
                self._server_keys[tip] = self.settings_at(tip).forge.server_key
            except ConfigError:
                self._server_keys[tip] = None
        folder = Path(self._tmp.name) / "server"
        return server_signed(stored.raw, stored.signature, self._server_keys[tip], folder,
                             self._verdicts)  # fmt: skip

    def get_change(self, change_id: str, chain: list[metachain.Stored] | None = None) -> Change:
        """The change as its records say (``chain``: its records, when already read)."""
        chain = chain if chain is not None else self.chain(change_id)
        opened = chain[0].event
        if opened is None or opened.type != "opened":
            raise InputError(MSG("broken", id=change_id, why=chain[0].error or "opened"))
        merged = self.merges().get(change_id)
        base_sha = merged[1][0] if merged else self.base_tip()
        policy_tip = base_sha
        author_ok, _ = self.signature(chain[0], policy_tip)
        head = opened.get("head")
        pushes = [Push(head=head, at=opened.at, forced=False, by=opened.by)]
        reviews: list[Review] = []
        documents: list[SupportingFile] = []
        checks: list[PageCheck] = []
        closed: Event | None = None
        for previous, stored in itertools.pairwise(chain):
            event = stored.event
            if event is None:
                continue
            in_place = event.change == change_id and event.prev == previous.sha
            if event.type == "closed" and in_place:
                closed = event  # the server accepts it only from the author or a reviewer
            elif event.type == "push":
                head = event.get("head")
                pushes.append(Push(head=head, at=event.at, forced=event.get("forced"), by=event.by))
            elif event.type == "attach" and in_place and event.by == opened.by:
                ok, _note = self.signature(stored, policy_tip)
                documents += [
                    SupportingFile(
                        name=f["name"],
                        media_type=f["type"],
                        size=f["size"],
                        sha256=f["sha256"],
                        by=event.by,
                        at=event.at,
                        event=stored.sha,
                        signature_ok=ok,
                    )
                    for f in event.get("files")
                    if f["name"] in stored.attachments and safe_name(f["name"]) == f["name"]
                ]
            elif event.type == "check":
                signed = in_place and self.server_signed(stored, policy_tip)
                checks.append(page_check(stored.sha, event, signed))
            elif event.type == "review":
                ok, note = self.signature(stored, policy_tip)
                if not in_place:
                    ok, note = False, MSG("moved")
                reviews.append(
                    Review(
                        id=stored.sha,
                        reviewer=event.by,
                        state=event.get("state"),
                        commit=event.get("commit"),
                        at=event.at,
                        body=event.get("body", ""),
                        signature_ok=ok,
                        signature_note=note,
                    )
                )
        commits = self._commits(base_sha, head, policy_tip)
        # What merging would change on the target (not the diff from one merge base: a
        # criss-cross history can restore an old roles.yml that such a diff never shows).
        landed = self.repo.landed(base_sha, head) if head else None
        change = Change(
            id=change_id,
            title=opened.get("title"),
            author=opened.by if author_ok is not False else None,
            author_login=opened.by,
            base=opened.get("base", BASE_BRANCH),
            base_sha=base_sha,
            head_sha=head,
            opened_at=opened.at,
            commits=commits,
            reviews=reviews,
            pushes=pushes,
            files=[shown_name(e.path) for _, e in landed.changes] if landed else [],
            nota_dinas_text=opened.get("nota_dinas"),
            data_dukung=documents,
            page_checks=checks,
        )
        if closed is not None and not merged:
            change = dataclasses.replace(
                change,
                state="closed",
                closed_at=closed.at,
                closed_by=closed.by,
                close_reason=closed.get("reason", ""),
            )
        if merged:
            sha, _parents, when = merged
            change = dataclasses.replace(
                change,
                state="merged",
                merged_at=when,
                merge_sha=sha,
                merged_by=self.merger(sha, policy_tip),
            )
        return change

    def _commits(self, base: str, head: str, policy_tip: str) -> list[CommitInfo]:
        commits = self.repo.commits_between(base, head)
        if not self.signatures_required():
            return commits
        signer = self.commit_signer
        return [dataclasses.replace(c, signer=signer(c.sha, policy_tip)) for c in commits]

    def commit_signer(self, sha: str, policy_tip: str) -> str | None:
        """Who signed commit ``sha``, by the allowed signers at ``policy_tip`` (None: nobody)."""
        verifier = self.verifier(policy_tip)
        known, signer = self._verdicts.commit(verifier.signers, sha)
        if not known:
            signer = self.repo.commit_signer(sha, verifier.file)
            self._verdicts.keep_commit(verifier.signers, sha, signer)
        return signer

    def merger(self, merge_sha: str, policy_tip: str) -> str | None:
        signer = self.commit_signer(merge_sha, policy_tip)
        if signer:
            return signer
        info = self.repo.commit_info(merge_sha)
        person = self.roles_at(policy_tip).by_email(info.author_email)
        return person.id if person else None

    def change_for_merge(self, merge_sha: str) -> Change | None:
        parents = self.repo.parents(merge_sha)
        change_id = self.repo.trailer(merge_sha, CHANGE_TRAILER)
        if len(parents) != 2 or not change_id or not self.ref(meta_ref(change_id)):
            return None
        change = self.get_change(change_id)
        return change if change.head_sha == parents[1] else None

    # -- notices (step 7) ------------------------------------------------------------------

    def notices(self, change_id: str) -> list[Notice]:
        found = []
        for stored in self.chain(change_id):
            if stored.event is not None and stored.event.type == "notice":
                event = stored.event
                found.append(
                    Notice(
                        id=stored.sha,
                        at=event.at,
                        by=event.by,
                        text=event.get("text"),
                        attachments=list(event.get("attachments")),
                    )
                )
        return found

    def notice_attachment(self, notice_id: str, name: str) -> bytes | None:
        stored = metachain.read_commit(self.repo, notice_id, ())
        blob = stored.attachments.get(name)
        return self.repo.blob(blob) if blob else None

    def data_dukung_bytes(self, document: SupportingFile) -> bytes | None:
        """The bytes of a supporting document as its signed record names them; None when the
        stored blob is not those bytes (a damaged or altered repository)."""
        blob = metachain.read_commit(self.repo, document.event, ()).attachments.get(document.name)
        data = self.repo.blob(blob) if blob else None
        if data is None or hashlib.sha256(data).hexdigest() != document.sha256:
            return None
        return data

    def add_notice(self, change_id: str, text: str, attachments: list[Path] | None = None) -> None:
        """Append a notice on the server itself (its own ref updates run no hooks); a clone's
        ``CloneForge`` pushes a signed one instead."""
        files = list(attachments or [])
        # The pipeline acts for whoever merged (the admin doing steps 6-8 in the SOP).
        by = self.get_change(change_id).merged_by or "terbit"
        self._append_server_event(change_id, "notice", by, notice_data(text, files), files)

    def record_merged(self, merge_sha: str) -> str | None:
        """Append the ``merged`` record to the change ``merge_sha`` merged; its id, if any.

        The same change and merger as ``change_for_merge`` finds, read without the rest of
        the change (its reviews' signatures, commits and files): the hook runs this on every
        merge push, and the whole change cost some 40 processes."""
        parents = self.repo.parents(merge_sha)
        change_id = self.repo.trailer(merge_sha, CHANGE_TRAILER) if len(parents) == 2 else None
        tip = self.ref(meta_ref(change_id)) if change_id else None
        if not change_id or not tip:
            return None
        chain = metachain.walk(self.repo, tip)
        opened = chain[0].event
        if opened is None or opened.type != "opened":
            raise InputError(MSG("broken", id=change_id, why=chain[0].error or "opened"))
        head = opened.get("head")
        for stored in chain[1:]:  # the head is the last push's, as ``get_change`` reads it
            if stored.event is not None and stored.event.type == "push":
                head = stored.event.get("head")
        if head != parents[1]:
            return None
        merged = self.merges().get(change_id)
        by = self.merger(merged[0], merged[1][0]) if merged else None
        self._append_server_event(change_id, "merged", by or "terbit", {"merge_sha": merge_sha}, [])
        return change_id

    def add_page_check(self, change_id: str, data: dict[str, Any], key: Path) -> str:
        """Append the server's page check of a head (``data``: the ``check`` record's fields),
        signed with the server's private ``key``; its id. Retried while a person's record
        moves the chain meanwhile (the update is compare-and-swap)."""
        for attempt in range(5):
            try:
                return self._append_server_event(change_id, "check", "terbit", data, [], key)
            except GitError:
                if attempt == 4:
                    raise
        raise AssertionError("unreachable")

    def _append_server_event(
        self, change_id: str, kind: str, by: str, data: dict[str, Any], files: list[Path],
        key: Path | None = None,
    ) -> str:  # fmt: skip
        tip = self.ref(meta_ref(change_id))
        if not tip:
            raise InputError(MSG("unknown", id=change_id))
        bot = self.settings.publish
        at = metachain.next_time(self.repo, tip, datetime.now(UTC).replace(microsecond=0))
        event = Event(kind, change_id, by, at, tip, data)
        signature = sign(event.to_bytes(), key) if key is not None else None
        sha = metachain.append(
            self.repo, event, signature=signature, name=bot.bot_name, email=bot.bot_email,
            attachments=files,
        )  # fmt: skip
        self.repo.update_ref(meta_ref(change_id), sha, tip)
        return sha

    def head_ref(self, change_id: str) -> str:
        return head_ref(change_id)


def page_check(record: str, event: Event, signed: bool) -> PageCheck:
    """A stored ``check`` record as the gate reads it (its shape was checked on reading)."""

    def found(key: str) -> list[PageFinding]:
        return [PageFinding(f["page"], f["rule"], f["target"]) for f in event.get(key)]

    return PageCheck(
        id=record,
        head=event.get("head"),
        at=event.at,
        signed=signed,
        pages=list(event.get("pages")),
        new=found("new"),
        known=found("known"),
        problems=list(event.get("problems")),
        tools={str(k): str(v) for k, v in event.get("tools").items()},
    )
