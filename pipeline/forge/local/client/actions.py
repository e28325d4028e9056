"""What a person does from their own clone: submit, review, merge (each a signed push).

Every write is one push to the server, where the ``pre-receive`` hook checks it again; the client
only prepares the records and says clearly why something cannot be done.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.change.data_dukung import FileFacts, check_names, inspect
from pipeline.change.model import Change
from pipeline.change.nota_dinas import parse_nota_dinas
from pipeline.clock import now
from pipeline.config.roles import Person
from pipeline.draft.frontmatter import parse
from pipeline.errors import ConfigError, InputError
from pipeline.forge.local.rules.identity import merger_problem
from pipeline.forge.local.rules.policy import closers, evaluate, policy, render, reviewer_roles
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.events import CHANGE_TRAILER, Event, head_ref, meta_ref
from pipeline.forge.local.store.forge import BASE_BRANCH, LocalForge
from pipeline.forge.local.store.signing import sign
from pipeline.gate import GateReport
from pipeline.gate.drafts import check_change
from pipeline.gate.pagecheck import PROOF as PAGE_CHECK
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "no_email": (
            "identitas git belum diatur; jalankan `git config user.email ALAMAT`",
            "git identity is not set; run `git config user.email ADDRESS`",
        ),
        "not_person": (
            "e-mail '{email}' (git config user.email) tidak terdaftar di roles.yml cabang main",
            "e-mail '{email}' (git config user.email) is not listed in roles.yml on main",
        ),
        "no_key": (
            "kunci SSH untuk tanda tangan belum diatur; jalankan "
            "`git config user.signingkey ~/.ssh/id_ed25519` atau atur TERBIT_SSH_KEY",
            "no SSH signing key; run `git config user.signingkey ~/.ssh/id_ed25519` "
            "or set TERBIT_SSH_KEY",
        ),
        "refused": (
            "server menolak: {why}",
            "the server refused: {why}",
        ),
        "on_main": (
            "Anda berada di cabang main; mulai draf dengan `terbit new SLUG`",
            "you are on main; start a draft with `terbit new SLUG`",
        ),
        "dirty": (
            "ada perubahan yang belum di-commit; jalankan `git add` dan `git commit` dulu",
            "there are uncommitted changes; run `git add` and `git commit` first",
        ),
        "no_commits": (
            "cabang ini belum punya commit baru dibanding main; tulis drafnya lalu commit",
            "this branch has no new commits compared with main; write the draft and commit it",
        ),
        "no_nota": (
            "perubahan baru memerlukan nota dinas: --nota BERKAS atau --nomor/--hal/… ",
            "a new change needs a nota dinas: --nota FILE or --nomor/--hal/…",
        ),
        "nothing_new": (
            "perubahan #{id} sudah memuat commit {sha}; tidak ada yang dikirim",
            "change #{id} already holds commit {sha}; nothing to send",
        ),
        "merged": (
            "perubahan #{id} sudah digabung ke main",
            "change #{id} is already merged into main",
        ),
        "closed": (
            "perubahan #{id} sudah ditutup oleh {by}: {reason}",
            "change #{id} was closed by {by}: {reason}",
        ),
        "close_who": (
            "hanya pengaju perubahan #{id} ({author}) atau pemeriksa ({roles}) yang boleh "
            "menutupnya",
            "only the submitter of change #{id} ({author}) or a reviewer ({roles}) may close it",
        ),
        "gate_failed": (
            "perubahan #{id} belum memenuhi SOP; belum dapat digabung:\n{report}",
            "change #{id} does not satisfy the SOP yet; it cannot be merged:\n{report}",
        ),
        "conflict": (
            "perubahan #{id} bentrok dengan main; penulis perlu menggabungkan main ke cabangnya "
            "(`git merge origin/main`), lalu `terbit submit` lagi",
            "change #{id} conflicts with main; the author must merge main into the branch "
            "(`git merge origin/main`), then run `terbit submit` again",
        ),
        "checks_failed": (
            "berkas perubahan ini belum lulus pemeriksaan draf; tidak ada yang dikirim. "
            "Perbaiki, commit, lalu `terbit submit` lagi ({n} masalah):\n{lines}",
            "the files of this change fail the draft checks; nothing was sent. Fix them, "
            "commit, then run `terbit submit` again ({n} problem(s)):\n{lines}",
        ),
        "attach_who": (
            "hanya pengaju perubahan #{id} ({author}) yang boleh melampirkan data dukung",
            "only the submitter of change #{id} ({author}) may attach supporting documents",
        ),
        "merge_message": (
            "Gabungkan perubahan #{id}: {title}",
            "Merge change #{id}: {title}",
        ),
    }
)

REMOTE_LINE = re.compile(r"^remote: ?(.*)$", re.MULTILINE)
RETRY_HINTS = ("non-fast-forward", "fetch first", "stale info", "already exists")
# Git's words when a ref moved between the hooks' check and its update (the server committed a
# completion record in that moment).
MOVED_AFTER_CHECK = re.compile(r"cannot lock ref '[^']+': is at [0-9a-f]+ but expected [0-9a-f]+")


@dataclass(frozen=True)
class Identity:
    person: Person
    key: Path | None
    name: str
    email: str


def remote_lines(output: str) -> str:
    """The hook's own words from a push's output (``remote: …`` lines)."""
    lines = [line.rstrip() for line in REMOTE_LINE.findall(output) if line.strip()]
    return "\n".join(lines) or output.strip()


def identity(forge: LocalForge) -> Identity:
    """Who is typing: ``git config user.email`` mapped through roles.yml of main; their key."""
    email = forge.repo.config("user.email")
    if not email:
        raise ConfigError(MSG("no_email"))
    person = forge.roles_at(forge.base_tip()).by_email(email)
    if person is None:
        raise ConfigError(MSG("not_person", email=email))
    key_text = os.environ.get("TERBIT_SSH_KEY") or forge.repo.config("user.signingkey")
    key = Path(key_text).expanduser() if key_text else None
    if key is not None and key.suffix == ".pub" and key.with_suffix("").is_file():
        key = key.with_suffix("")
    if key is None and forge.signatures_required():
        raise ConfigError(MSG("no_key"))
    return Identity(person, key, forge.repo.config("user.name") or person.name, email)


def configure_signing(forge: LocalForge, key: Path) -> None:
    """Sign every commit of this clone with ``key`` (so the forge can prove who wrote it)."""
    forge.repo.config("gpg.format", "ssh")
    forge.repo.config("user.signingkey", str(key))
    forge.repo.config("commit.gpgsign", "true")


def _push(forge: LocalForge, *refspecs: str) -> tuple[bool, str]:
    forge.synced = False
    ok, out = forge.repo.push_result(forge.remote or "origin", *refspecs)
    return ok, out


def _retryable(output: str) -> bool:
    if MOVED_AFTER_CHECK.search(output):
        return True  # the hooks accepted, then the ref had moved: the same push again, rebased
    return any(hint in output for hint in RETRY_HINTS) and "remote: terbit:" not in output


def append_event(
    forge: LocalForge,
    who: Identity,
    change_id: str,
    kind: str,
    data: dict[str, Any],
    attachments: list[Path] | None = None,
    extra: tuple[str, ...] = (),
    named: dict[str, bytes] | None = None,
) -> str:
    """Sign ``data`` as a ``kind`` event on top of the change's records and push it."""
    for attempt in range(4):
        if attempt or not forge.synced:  # the caller's fetch is fresh enough to try first
            forge.sync()
        tip = forge.ref(meta_ref(change_id))
        if tip is None:
            raise InputError(MSG("refused", why=f"#{change_id}"))
        at = metachain.next_time(forge.repo, tip, now())
        event = Event(kind, change_id, who.person.id, at, tip, data)
        signature = sign(event.to_bytes(), who.key) if who.key else None
        sha = metachain.append(
            forge.repo, event, signature=signature, name=who.name, email=who.email,
            attachments=attachments, named=named,
        )  # fmt: skip
        ok, out = _push(forge, f"{sha}:{meta_ref(change_id)}", *extra)
        if ok:
            forge.sync()
            return sha
        if not _retryable(out) or attempt == 3:
            raise InputError(MSG("refused", why=remote_lines(out)))
    raise AssertionError("unreachable")


def _draft_title(forge: LocalForge, head: str, files: list[str]) -> str | None:
    for path in files:
        if path.endswith(".md") and path.startswith("content/"):
            text = forge.repo.show_file(head, path)
            try:
                title = parse(text or "", path).meta.get("title") if text else None
            except InputError:
                continue
            if isinstance(title, str) and title.strip():
                return title.strip()
    return None


def _existing(forge: LocalForge, branch: str, who: Identity) -> Change | None:
    """The open change this branch already feeds: remembered in git config, or (in a fresh
    clone) an unmerged change whose head is part of this branch's history."""
    remembered = forge.repo.config(f"branch.{branch}.terbit-change")
    candidates = [remembered] if remembered else []
    merged = set(forge.merges())
    for change_id in reversed(forge.heads_merged_into("HEAD")):
        if change_id != remembered and change_id not in merged:
            candidates.append(change_id)
    for change_id in candidates:
        if not forge.ref(meta_ref(change_id)):
            continue
        opened = forge.opened_event(change_id)
        if opened.get("branch") == branch and opened.by == who.person.id:
            change = forge.get_change(change_id)
            if change.state == "open":
                return change
    return None


def _refuse_check_errors(forge: LocalForge, base: str, head: str) -> None:
    """Run the draft checks on what the change would land, as the server will; refuse early
    with every located problem so nothing the server would refuse is pushed."""
    checked = check_change(forge.repo, base, head)
    if checked.findings:
        lines = "\n".join(f"  {line}" for line in checked.lines)
        raise InputError(MSG("checks_failed", n=len(checked.findings), lines=lines))


def submit(
    forge: LocalForge, who: Identity, *, nota_text: str | None, title: str | None = None
) -> tuple[str, bool]:
    """Open a change for the current branch, or send its new commits; ``(id, opened)``."""
    forge.sync()
    repo = forge.repo
    branch = repo.current_branch()
    if not branch or branch == BASE_BRANCH:
        raise ConfigError(MSG("on_main"))
    if not repo.is_clean():
        raise InputError(MSG("dirty"))
    head = repo.head() or ""
    base = forge.base_tip()
    if not repo.commits_between(base, head):
        raise InputError(MSG("no_commits"))
    _refuse_check_errors(forge, base, head)
    existing = _existing(forge, branch, who)
    if existing is not None:
        if existing.head_sha == head:
            raise InputError(MSG("nothing_new", id=existing.id, sha=head[:10]))
        forced = not repo.is_ancestor(existing.head_sha, head)
        data = {"head": head, "old": existing.head_sha, "forced": forced}
        append_event(
            forge, who, existing.id, "push", data, extra=(f"+{head}:{head_ref(existing.id)}",)
        )
        return existing.id, False
    if not nota_text:
        raise InputError(MSG("no_nota"))
    nota = parse_nota_dinas(nota_text, "nota dinas")
    files = [entry.path for _, entry in repo.landed(base, head).changes]  # what would land
    title = title or _draft_title(forge, head, files) or nota.hal
    for attempt in range(4):
        ids = [int(i) for i in forge.change_ids()]
        change_id = str(max(ids, default=0) + 1)
        data = {
            "title": title, "nota_dinas": nota_text, "base": BASE_BRANCH, "base_sha": base,
            "head": head, "branch": branch,
        }  # fmt: skip
        event = Event("opened", change_id, who.person.id, now(), None, data)
        signature = sign(event.to_bytes(), who.key) if who.key else None
        sha = metachain.append(repo, event, signature=signature, name=who.name, email=who.email)
        ok, out = _push(forge, f"{sha}:{meta_ref(change_id)}", f"{head}:{head_ref(change_id)}")
        if ok:
            repo.config(f"branch.{branch}.terbit-change", change_id)
            forge.sync()
            return change_id, True
        if not _retryable(out) or attempt == 3:
            raise InputError(MSG("refused", why=remote_lines(out)))
        forge.sync()
    raise AssertionError("unreachable")


def review(forge: LocalForge, who: Identity, change_id: str, state: str, body: str) -> Change:
    """Record a signed review bound to the change's current head."""
    forge.sync()
    change = forge.get_change(change_id)
    if not (state == "approve" and _review_owed(forge, change)):
        _still_open(change)
    data = {"state": state, "commit": change.head_sha, "body": body}
    append_event(forge, who, change_id, "review", data)
    return forge.get_change(change_id)


def _review_owed(forge: LocalForge, change: Change) -> bool:
    """A merged "Sangat Segera" change still owes the review its expedited path deferred."""
    if change.state != "merged":
        return False
    report = evaluate(forge, change)
    return report.expedited is not None and report.expedited.done_at is None


def _still_open(change: Change) -> Change:
    if change.state == "merged":
        raise InputError(MSG("merged", id=change.id))
    if change.state == "closed":
        raise InputError(
            MSG("closed", id=change.id, by=change.closed_by, reason=change.close_reason)
        )
    return change


def close(forge: LocalForge, who: Identity, change_id: str, reason: str) -> Change:
    """Withdraw (the submitter) or reject (a reviewer role of the SOP) an open change."""
    forge.sync()
    _still_open(forge.get_change(change_id))
    sop, roles = policy(forge, forge.base_tip())
    author = forge.opened_event(change_id).by
    if who.person.id not in closers(sop, roles, author):
        titles = ", ".join(roles.title(r) for r in reviewer_roles(sop))
        raise InputError(MSG("close_who", id=change_id, author=author, roles=titles))
    append_event(forge, who, change_id, "closed", {"reason": reason.strip()})
    return forge.get_change(change_id)


def checking_pages(report: GateReport) -> bool:
    """Whether the gate waits for the server's page check of the head (not yet done)."""
    return any(s.proof == PAGE_CHECK and s.state == "pending" for s in report.extra)


def merge(
    forge: LocalForge, who: Identity, change_id: str, *, wait: float = 0.0,
    waiting: Callable[[], None] | None = None, sync_after: bool = True,
) -> tuple[str, str]:  # fmt: skip
    """Merge a change that passes the gate and push it to main; ``(merge sha, server output)``.
    ``sync_after``: fetch the server's refs again once merged (the merged record), for a
    caller that reads the change afterwards; ``terbit merge`` ends there and does not.

    Retried when main moved meanwhile (another merge, or the server committing a record).
    While the server is still checking the head's pages, waits up to ``wait`` seconds for it
    (``waiting`` is told once), then refuses like any other gate line.
    """
    deadline = time.monotonic() + wait
    for attempt in range(4):
        forge.sync()
        change = _still_open(forge.get_change(change_id))
        base = forge.base_tip()
        why = merger_problem(*policy(forge, base), change, who.person.id)
        if why:  # the server refuses it too; say so before anything is signed
            raise InputError(MSG("refused", why=why))
        report = evaluate(forge, change)
        while not report.passed and checking_pages(report) and time.monotonic() < deadline:
            if waiting is not None:
                waiting()
                waiting = None
            time.sleep(1.0)
            forge.sync()
            change = _still_open(forge.get_change(change_id))
            base = forge.base_tip()
            report = evaluate(forge, change)
        if not report.passed:
            raise InputError(MSG("gate_failed", id=change_id, report=render(report)))
        tree = forge.repo.merge_tree(base, change.head_sha)
        if tree is None:
            raise InputError(MSG("conflict", id=change_id))
        message = (
            MSG("merge_message", id=change_id, title=change.title)
            + f"\n\n{CHANGE_TRAILER}: {change_id}\n"
        )
        stamp = f"{int(now().timestamp())} +0000"
        sha = forge.repo.commit_tree_signed(
            tree, [base, change.head_sha], message, name=who.name, email=who.email,
            key=str(who.key) if who.key else None,
            env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp},
        )  # fmt: skip
        ok, out = _push(forge, f"{sha}:refs/heads/{BASE_BRANCH}")
        if ok:
            if sync_after:
                forge.sync()
            return sha, remote_lines(out)
        if not _retryable(out) or attempt == 3:
            raise InputError(MSG("refused", why=remote_lines(out)))
    raise AssertionError("unreachable")


def judge_data_dukung(
    forge: LocalForge, files: list[tuple[str, bytes]], existing: list[str] | None = None
) -> list[tuple[FileFacts, bytes]]:
    """Each supporting document judged as the server will (before anything is sent)."""
    limits = forge.settings.data_dukung
    judged = [(inspect(name, data, max_kb=limits.max_kb), data) for name, data in files]
    check_names(existing or [], [facts.name for facts, _ in judged], max_files=limits.max_files)
    return judged


def attach(
    forge: LocalForge, who: Identity, change_id: str, files: list[tuple[str, bytes]]
) -> Change:
    """The submitter adds supporting documents (data dukung) to an open change: one signed
    ``attach`` record carrying them."""
    forge.sync()
    change = _still_open(forge.get_change(change_id))
    author = forge.opened_event(change_id).by
    if who.person.id != author:
        raise InputError(MSG("attach_who", id=change_id, author=author))
    judged = judge_data_dukung(forge, files, [d.name for d in change.data_dukung])
    data = {"files": [facts.data() for facts, _ in judged]}
    append_event(forge, who, change_id, "attach", data, named={f.name: b for f, b in judged})
    return forge.get_change(change_id)
