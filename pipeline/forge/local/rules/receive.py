"""What the server's ``pre-receive`` hook accepts: the rules for every ref a push may touch.

``main`` moves only by the merge of a change that passes the gate (policy read from the old tip);
change records only grow (their rules live in ``meta_rules``); everything else outside the known
namespaces is refused. Each refusal says what to do instead, in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from pipeline.change.model import Change
from pipeline.clock import now
from pipeline.config.settings import Settings
from pipeline.errors import TerbitError
from pipeline.forge.local.rules import identity
from pipeline.forge.local.rules.meta_rules import RecordRules
from pipeline.forge.local.rules.policy import evaluate, render
from pipeline.forge.local.rules.push import MAIN, ZERO, Update
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.checks import KeptChecks, kept_checks
from pipeline.forge.local.store.events import CHANGE_TRAILER, REF_RE, meta_ref
from pipeline.forge.local.store.forge import LocalForge
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

if TYPE_CHECKING:
    from pipeline.gate.drafts import ChangeCheck, DraftResults

MSG = Catalog(
    {
        "main_delete": (
            "cabang main tidak boleh dihapus",
            "the main branch must not be deleted",
        ),
        "main_nonff": (
            "main hanya boleh maju (non-fast-forward ditolak); ambil main terbaru dengan "
            "`git fetch` lalu gabungkan lewat `terbit merge`",
            "main may only move forward (non-fast-forward refused); fetch the latest main and "
            "merge through `terbit merge`",
        ),
        "main_direct": (
            "dorongan langsung ke main ditolak; ajukan perubahan dengan `terbit submit` dan "
            "gabungkan dengan `terbit merge` setelah SOP terpenuhi",
            "direct pushes to main are refused; open a change with `terbit submit` and merge it "
            "with `terbit merge` once the SOP is satisfied",
        ),
        "main_one": (
            "main hanya boleh maju satu commit merge per perubahan; gunakan `terbit merge`",
            "main may only advance by one merge commit per change; use `terbit merge`",
        ),
        "no_trailer": (
            "commit merge tidak menyebut perubahan (baris '{trailer}: N'); gunakan `terbit merge`",
            "the merge commit names no change (line '{trailer}: N'); use `terbit merge`",
        ),
        "unknown_change": (
            "perubahan #{id} tidak dikenal di server; ajukan dulu dengan `terbit submit`",
            "change #{id} is unknown on the server; open it first with `terbit submit`",
        ),
        "merged_twice": (
            "perubahan #{id} sudah digabung sebelumnya",
            "change #{id} was already merged",
        ),
        "not_head": (
            "commit merge tidak memuat kepala perubahan #{id} yang diperiksa ({head}); "
            "gunakan `terbit merge {id}`",
            "the merge commit does not hold the reviewed head of change #{id} ({head}); "
            "use `terbit merge {id}`",
        ),
        "tree_differs": (
            "isi commit merge berbeda dari hasil penggabungan perubahan #{id} yang disetujui; "
            "gunakan `terbit merge {id}`",
            "the merge commit's content differs from merging the approved change #{id}; "
            "use `terbit merge {id}`",
        ),
        "merge_unsigned": (
            "commit merge tidak ditandatangani oleh orang di roles.yml; atur user.signingkey",
            "the merge commit is not signed by a person in roles.yml; set user.signingkey",
        ),
        "gate": (
            "perubahan #{id} belum memenuhi SOP:\n{report}",
            "change #{id} does not satisfy the SOP:\n{report}",
        ),
        "policy": (
            "kebijakan di main tidak dapat dibaca: {error}",
            "the policy on main cannot be read: {error}",
        ),
        "closed_merge": (
            "perubahan #{id} sudah ditutup ({reason}) dan tidak dapat digabung",
            "change #{id} is closed ({reason}) and cannot be merged",
        ),
        "head_delete": (
            "kepala perubahan #{id} tidak boleh dihapus",
            "the head of change #{id} must not be deleted",
        ),
        "head_alone": (
            "kepala perubahan #{id} hanya boleh diganti bersama catatannya; "
            "gunakan `terbit submit`",
            "the head of change #{id} may only move together with its record; use `terbit submit`",
        ),
        "head_mismatch": (
            "catatan terakhir perubahan #{id} menyebut kepala {claimed}, "
            "tetapi yang dikirim {sent}",
            "the last record of change #{id} names head {claimed}, but {sent} was pushed",
        ),
        "head_forced": (
            "dorongan paksa ke perubahan #{id} harus dicatat sebagai paksa (forced); "
            "gunakan `terbit submit`",
            "a force-push to change #{id} must be recorded as forced; use `terbit submit`",
        ),
        "checks": (
            "berkas perubahan #{id} belum lulus pemeriksaan draf ({n} masalah); dorongan "
            "ditolak, perbaiki lalu `terbit submit` lagi:\n{lines}",
            "the files of change #{id} fail the draft checks ({n} problem(s)); push refused, "
            "fix them and run `terbit submit` again:\n{lines}",
        ),
        "files": (
            "'{ref}' memuat berkas yang tidak diterima server ({n}):\n{lines}",
            "'{ref}' holds files the server does not accept ({n}):\n{lines}",
        ),
        "tag_move": (
            "tag '{ref}' tidak boleh diubah atau dihapus",
            "tag '{ref}' must not be changed or deleted",
        ),
        "namespace": (
            "ref '{ref}' tidak diizinkan; yang boleh: main (lewat terbit merge), draft/*, "
            "refs/terbit/changes/N/{{head,meta}}, tag baru",
            "ref '{ref}' is not allowed; allowed: main (through terbit merge), draft/*, "
            "refs/terbit/changes/N/{{head,meta}}, new tags",
        ),
    }
)


class Receiver(RecordRules):
    """Checks one push (all its ref updates together) against the server's rules."""

    def __init__(self, repo: Repo, settings: Callable[[], Settings], updates: list[Update]) -> None:
        self.repo = repo
        self._settings = settings
        self.updates = updates
        self.pending = {u.ref: "" if u.new == ZERO else u.new for u in updates}
        self.main_old = self.repo.rev_parse(MAIN)
        self.now = datetime.now(UTC)  # the server's own clock, never the pusher's TERBIT_NOW

    @cached_property
    def settings(self) -> Settings:
        return self._settings()

    @cached_property
    def checks(self) -> KeptChecks:
        """The draft checks' results of earlier pushes: a merge's gate reuses those of its
        head's push while main has not moved (the same two commits)."""
        return kept_checks(self.repo)

    def forge(self, base_tip: str | None) -> LocalForge:
        return LocalForge(self.repo, self.settings, base_tip=base_tip, pending=self.pending,
                          verdicts=self.verdicts)  # fmt: skip

    def merged_ids(self) -> set[str]:
        if not self.main_old:
            return set()
        return {change for *_rest, change in self.repo.merge_log(self.main_old) if change}

    def check(self) -> list[str]:
        problems: list[str] = []
        for update in self.updates:
            try:
                problems += self.check_one(update)
            except TerbitError as error:
                problems.append(f"{update.ref}: {error}")
        self.verdicts.flush()
        return problems

    def check_one(self, u: Update) -> list[str]:
        if u.ref == MAIN:
            return self.check_main(u)
        if u.ref.startswith("refs/heads/draft/"):
            return self.check_files(u)
        if u.ref.startswith("refs/tags/"):
            return [] if u.old == ZERO else [MSG("tag_move", ref=u.ref)]
        found = REF_RE.match(u.ref)
        if found and found.group(2) == "meta":
            return self.check_meta(found.group(1), u)
        if found:
            return self.check_head(found.group(1), u)
        return [MSG("namespace", ref=u.ref)]

    # -- main ----------------------------------------------------------------------------

    def check_main(self, u: Update) -> list[str]:
        if u.new == ZERO:
            return [MSG("main_delete")]
        if u.old == ZERO:
            return []  # the first content of a new server (the admin's seed commit)
        if not self.repo.is_ancestor(u.old, u.new):
            return [MSG("main_nonff")]
        parents = self.repo.parents(u.new)
        if len(parents) < 2:
            return [MSG("main_direct")]
        if len(parents) != 2 or parents[0] != u.old:
            return [MSG("main_one")]
        change_id = self.repo.trailer(u.new, CHANGE_TRAILER)
        if not change_id:
            return [MSG("no_trailer", trailer=CHANGE_TRAILER)]
        forge = self.forge(u.old)
        if not forge.ref(meta_ref(change_id)):
            return [MSG("unknown_change", id=change_id)]
        if change_id in forge.merges():
            return [MSG("merged_twice", id=change_id)]
        change = forge.get_change(change_id)
        if change.state == "closed":
            return [MSG("closed_merge", id=change_id, reason=change.close_reason)]
        if parents[1] != change.head_sha:
            return [MSG("not_head", id=change_id, head=change.head_sha[:10])]
        if self.repo.tree_of(u.new) != self.repo.merge_tree(u.old, change.head_sha):
            return [MSG("tree_differs", id=change_id)]
        problems = [p for p in (self.records_problem(change.files),) if p]
        problems += self.merger_problems(forge, change, u)
        kept = self.checks.get(change.base_sha, change.head_sha, now())
        report = evaluate(forge, change, checked=kept)
        if not report.passed:
            problems.append(MSG("gate", id=change_id, report=render(report)))
        return problems

    def merger_problems(self, forge: LocalForge, change: Change, u: Update) -> list[str]:
        """The merge commit is signed by an active member of the step-6 role, not an author."""
        sop, roles = self.policy
        if forge.signatures_required():
            who = forge.commit_signer(u.new, u.old)
            if not who:
                return [MSG("merge_unsigned")]
        else:
            person = roles.by_email(self.repo.commit_info(u.new).author_email)
            who = person.id if person else None
        why = identity.merger_problem(sop, roles, change, who)
        return [why] if why else []

    def records_problem(self, files: list[str]) -> str | None:
        return identity.records_problem(files, self.settings.publish.records_path)

    def check_head(self, change_id: str, u: Update) -> list[str]:
        if u.new == ZERO:
            return [MSG("head_delete", id=change_id)]
        meta = next((x for x in self.updates if x.ref == meta_ref(change_id)), None)
        if meta is None or meta.new == ZERO:
            return [MSG("head_alone", id=change_id)]
        chain = metachain.walk(self.repo, meta.new, None if meta.old == ZERO else meta.old)
        moves = [s.event for s in chain if s.event and s.event.type in ("opened", "push")]
        if not moves:
            return [MSG("head_alone", id=change_id)]
        last = moves[-1]
        if last.get("head") != u.new:
            return [
                MSG("head_mismatch", id=change_id, claimed=last.get("head")[:10], sent=u.new[:10])
            ]
        if u.old != ZERO and not self.repo.is_ancestor(u.old, u.new) and not last.get("forced"):
            return [MSG("head_forced", id=change_id)]
        if not self.main_old:
            return []
        # What the change would land (``Repo.landed``, as the gate judges it), computed once:
        # a merge-base diff misses a file a criss-cross merge restores or removes.
        checked = _landing(self.repo, self.main_old, u.new)
        why = self.records_problem(checked.landed)  # records/ belongs to the publication
        if why:
            return [why]
        self.checks.put(self.main_old, u.new, _results_of(checked))
        return self.check_drafts(change_id, checked)

    def check_files(self, u: Update) -> list[str]:
        """A shared draft branch may hold unfinished drafts, but never a link, a submodule, an
        odd name or a huge file: those never enter the server's history."""
        if u.new == ZERO or not self.main_old:
            return []
        checked = _landing(self.repo, self.main_old, u.new, drafts_too=False)
        if not checked.findings:
            return []
        lines = "\n".join(f"  {line}" for line in checked.lines)
        return [MSG("files", ref=u.ref, n=len(checked.findings), lines=lines)]

    def check_drafts(self, change_id: str, checked: ChangeCheck) -> list[str]:
        """The draft checks on what the head would land on main: a refused file never enters
        the server's history (the pushed objects are dropped with the refusal)."""
        if not checked.findings:
            return []
        lines = "\n".join(f"  {line}" for line in checked.lines)
        return [MSG("checks", id=change_id, n=len(checked.findings), lines=lines)]


def _results_of(checked: ChangeCheck) -> DraftResults:
    # start-up: the draft checks' module, as in ``_landing``.
    from pipeline.gate.drafts import results_of

    return results_of(checked)


def _landing(repo: Repo, base: str, head: str, *, drafts_too: bool = True) -> ChangeCheck:
    """What ``head`` would land on ``base``, with the draft checks of the files it lands."""
    # start-up: the draft checks (Markdown, sanitiser, front matter models) add 50 ms to each
    # hook's start-up (python -X importtime); a review's push, most pushes, runs none of them.
    from pipeline.gate.drafts import check_change

    return check_change(repo, base, head, drafts_too=drafts_too)
