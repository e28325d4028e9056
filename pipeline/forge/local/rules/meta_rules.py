"""What the server accepts on a change's record chain (``refs/terbit/changes/N/meta``).

Records only grow, one at a time on top of the last; each names its change and place; time
moves forward and stays near the server's clock; only the people the SOP names may close a
change (its submitter, a reviewer) or send the notice of step 7; a closed or merged change
takes no further records (a merged one only notices).
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

from pipeline.change.data_dukung import check_names, inspect, safe_name
from pipeline.change.nota_dinas import parse_nota_dinas
from pipeline.config.roles import Roles
from pipeline.config.settings import Settings
from pipeline.config.sop import Sop
from pipeline.errors import TerbitError
from pipeline.forge.local.rules import identity
from pipeline.forge.local.rules.policy import closers, evaluate, policy_on, reviewer_roles
from pipeline.forge.local.rules.push import ZERO, Update
from pipeline.forge.local.store import metachain
from pipeline.forge.local.store.events import (
    ATTACH_DIR,
    CLIENT_TYPES,
    FILE_TYPES,
    Event,
    head_ref,
    iso,
)
from pipeline.forge.local.store.forge import LocalForge
from pipeline.forge.local.store.metachain import Stored
from pipeline.forge.local.store.signing import Verifier
from pipeline.forge.local.store.verdicts import Verdicts, kept_verdicts
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

# How far ahead of the server's clock a record's time may be (clients' clocks drift a little).
FUTURE_TOLERANCE = timedelta(minutes=5)

MSG = Catalog(
    {
        "meta_delete": (
            "catatan ulasan perubahan #{id} tidak boleh dihapus",
            "the review records of change #{id} must not be deleted",
        ),
        "meta_rewrite": (
            "catatan ulasan perubahan #{id} tidak boleh ditulis ulang (hanya boleh ditambah); "
            "ambil catatan terbaru dengan `git fetch` lalu ulangi perintah terbit",
            "the review records of change #{id} must not be rewritten (only appended); "
            "fetch the latest records and run the terbit command again",
        ),
        "meta_bad": (
            "catatan perubahan #{id} tidak sah ({sha}): {why}",
            "invalid record for change #{id} ({sha}): {why}",
        ),
        "meta_shape": (
            "catatan harus berantai satu per satu di atas yang terakhir",
            "records must form a single chain on top of the last one",
        ),
        "meta_other": (
            "catatan milik perubahan #{other}, bukan #{id}",
            "the record belongs to change #{other}, not #{id}",
        ),
        "meta_first": (
            "catatan pertama harus pembukaan perubahan (nota dinas)",
            "the first record must open the change (nota dinas)",
        ),
        "meta_type": (
            "jenis catatan '{type}' tidak boleh dikirim ke server",
            "record type '{type}' may not be pushed to the server",
        ),
        "meta_notice": (
            "pemberitahuan (langkah {step}) hanya boleh dikirim oleh {role} ({people}) dengan "
            "tanda tangannya, atau oleh server",
            "a notice (step {step}) may only be sent, signed, by {role} ({people}), "
            "or by the server",
        ),
        "notice_early": (
            "pemberitahuan hanya untuk perubahan yang sudah digabung dan terbit",
            "a notice is only for a change that has been merged and published",
        ),
        "close_who": (
            "perubahan hanya boleh ditutup oleh pengajunya ({author}) atau oleh pemeriksa "
            "({roles}), dengan tanda tangannya",
            "a change may only be closed, signed, by its submitter ({author}) or by a reviewer "
            "({roles})",
        ),
        "closed": (
            "perubahan #{id} sudah ditutup ({reason}); catatan baru tidak diterima. Ajukan "
            "perubahan baru dengan `terbit submit`",
            "change #{id} is closed ({reason}); no new records are accepted. Open a new change "
            "with `terbit submit`",
        ),
        "time_back": (
            "waktu catatan {at} lebih awal dari catatan sebelumnya ({prev}); periksa jam dan "
            "zona waktu komputer Anda, lalu ulangi perintah terbit",
            "the record's time {at} is earlier than the previous record ({prev}); check your "
            "computer's clock and time zone, then run the terbit command again",
        ),
        "time_future": (
            "waktu catatan {at} lebih dari {minutes} menit di depan jam server ({now}); periksa "
            "jam dan zona waktu komputer Anda, lalu ulangi perintah terbit",
            "the record's time {at} is more than {minutes} minutes ahead of the server's clock "
            "({now}); check your computer's clock and time zone, then run the terbit command "
            "again",
        ),
        "after_merge": (
            "perubahan #{id} sudah digabung; catatan baru tidak diterima",
            "change #{id} is already merged; no new records are accepted",
        ),
        "files_where": (
            "catatan '{type}' tidak boleh membawa berkas",
            "a '{type}' record may not carry files",
        ),
        "attach_who": (
            "data dukung hanya boleh dilampirkan oleh pengaju perubahan ({author}), dengan "
            "tanda tangannya",
            "supporting documents may only be attached, signed, by the change's submitter "
            "({author})",
        ),
        "attach_files": (
            "berkas data dukung tidak cocok dengan yang disebut catatannya ({name})",
            "the supporting documents do not match what their record lists ({name})",
        ),
        "head_missing": (
            "catatan perubahan #{id} menyebut kepala {head}, tetapi commit itu tidak ikut "
            "dikirim; gunakan `terbit submit`",
            "the record of change #{id} names head {head}, but that commit was not pushed "
            "with it; use `terbit submit`",
        ),
    }
)


class RecordRules:
    """The record-chain half of the server's ``Receiver`` (which provides these attributes)."""

    repo: Repo
    main_old: str | None
    pending: dict[str, str]
    now: datetime

    @cached_property
    def late_taken(self) -> set[str]:
        """Changes whose retrospective review this push already carries."""
        return set()

    @property
    def settings(self) -> Settings:
        raise NotImplementedError

    def merged_ids(self) -> set[str]:
        raise NotImplementedError

    def check_meta(self, change_id: str, u: Update) -> list[str]:
        if u.new == ZERO:
            return [MSG("meta_delete", id=change_id)]
        if u.old != ZERO and not self.repo.is_ancestor(u.old, u.new):
            return [MSG("meta_rewrite", id=change_id)]
        merged = u.old != ZERO and change_id in self.merged_ids()
        chain = metachain.walk(self.repo, u.new, None if u.old == ZERO else u.old)
        previous = None if u.old == ZERO else u.old
        last = metachain.read_commit(self.repo, u.old, ()).event if previous else None
        for stored in chain:

            def bad(why: str | None, s: Stored = stored) -> str:
                return MSG("meta_bad", id=change_id, sha=s.sha[:10], why=why)

            if stored.event is None:
                return [bad(stored.error)]
            event = stored.event
            expected = (previous,) if previous else ()
            if stored.parents != expected or event.prev != previous:
                return [bad(MSG("meta_shape"))]
            if event.change != change_id:
                return [bad(MSG("meta_other", other=event.change, id=change_id))]
            if (event.type == "opened") != (previous is None):
                return [bad(MSG("meta_first"))]
            if last is not None and last.type == "closed":
                return [MSG("closed", id=change_id, reason=last.get("reason", ""))]
            if merged and event.type != "notice" and not self.late_review(event, u.old):
                return [MSG("after_merge", id=change_id)]
            if last is not None and event.at < last.at:
                return [bad(MSG("time_back", at=iso(event.at), prev=iso(last.at)))]
            if event.at > self.now + FUTURE_TOLERANCE:
                minutes = int(FUTURE_TOLERANCE.total_seconds() // 60)
                return [
                    bad(MSG("time_future", at=iso(event.at), now=iso(self.now), minutes=minutes))
                ]
            why = self.check_kind(stored, merged, previous)
            if why:
                return [bad(why)]
            previous, last = stored.sha, event
        moves = [s.event for s in chain if s.event and s.event.type in ("opened", "push")]
        if moves:  # the head named by the last move must arrive in this very push
            claimed = str(moves[-1].get("head"))
            if self.pending.get(head_ref(change_id)) != claimed:
                return [MSG("head_missing", id=change_id, head=claimed[:10])]
        return []

    def check_kind(self, stored: Stored, merged: bool, previous: str | None) -> str | None:
        """Who may push this kind of record; the reason when ``stored`` is refused."""
        event = stored.event
        assert event is not None
        if stored.attachments and event.type not in FILE_TYPES:
            return MSG("files_where", type=event.type)
        if event.type == "attach":
            return self.attach_problem(stored, previous)
        if event.type == "notice":
            if not self.main_old:
                return MSG("meta_type", type=event.type)
            if not merged:
                return MSG("notice_early")
            sop, roles = self.policy
            step = next((s for s in sop.steps if s.proof == "notice"), None)
            if step is None:  # no notice step in this SOP: only the server writes notices
                return MSG("meta_type", type=event.type)
            members = {p.id for p in roles.members(step.role)}
            if not self.signed_by(stored, members):
                people = ", ".join(sorted(members)) or "-"
                role = roles.title(step.role)
                return MSG("meta_notice", step=step.number, role=role, people=people)
            return None
        if event.type == "closed":
            if not self.main_old:
                return MSG("meta_type", type=event.type)
            sop, roles = self.policy
            author = event.by if previous is None else self.opened(previous).by
            if not self.signed_by(stored, closers(sop, roles, author)):
                titles = ", ".join(roles.title(r) for r in reviewer_roles(sop))
                return MSG("close_who", author=author, roles=titles)
            return None
        if event.type not in CLIENT_TYPES:
            return MSG("meta_type", type=event.type)
        return self.identity_problem(stored) if self.main_old else None

    def attach_problem(self, stored: Stored, previous: str | None) -> str | None:
        """Data dukung: attached by the submitter, signed, on an open change; every file is
        exactly one listed in the signed record, a plain blob under a safe name, judged by its
        bytes (type, size) as ``terbit`` judges it before sending."""
        event = stored.event
        assert event is not None
        if not self.main_old or previous is None:
            return MSG("meta_type", type=event.type)
        author = self.opened(previous).by
        if event.by != author:
            return MSG("attach_who", author=author)
        why = self.identity_problem(stored)
        if why:
            return why
        listed = {str(f["name"]): f for f in event.get("files", [])}
        rows = {name: (mode, kind, blob) for mode, kind, blob, name in
                self.repo.ls_tree(stored.sha, ATTACH_DIR)}  # fmt: skip
        if set(rows) != set(listed) or len(listed) != len(event.get("files", [])):
            return MSG("attach_files", name=", ".join(sorted(set(rows) ^ set(listed))) or "-")
        limits = self.settings.data_dukung
        for name, item in listed.items():
            mode, kind, blob = rows[name]
            try:
                if mode != "100644" or kind != "blob" or safe_name(name) != name:
                    return MSG("attach_files", name=name)
                facts = inspect(name, self.repo.blob(blob), max_kb=limits.max_kb)
            except TerbitError as error:
                return error.message
            if facts.data() != item:
                return MSG("attach_files", name=name)
        earlier = [
            str(f.get("name"))
            for s in metachain.walk(self.repo, previous)
            if s.event is not None and s.event.type == "attach"
            for f in s.event.get("files", [])
        ]
        try:
            check_names(earlier, list(listed), max_files=limits.max_files)
        except TerbitError as error:
            return error.message
        return None

    def late_review(self, event: Event, tip: str) -> bool:
        """An approval after the merge of a "Sangat Segera" change with a written reason, by a
        member of a role whose step sop.yml's expedited path defers: the retrospective review.
        It adds evidence only (the merge is done); its signature is checked like any review."""
        sop, roles = self.policy
        rule = sop.expedited
        if rule is None or event.type != "review" or event.get("state") != "approve":
            return False
        deferred = {s.approver_role or s.role for s in sop.steps if s.number in rule.defer}
        person = roles.get(event.by)
        if person is None or not person.active or not deferred & set(person.roles):
            return False
        try:
            nota = parse_nota_dinas(str(self.opened(tip).get("nota_dinas") or ""))
        except TerbitError:
            return False
        if nota.sifat != "sangat segera" or not nota.alasan_segera.strip():
            return False
        return self.review_owed(event.change)

    def review_owed(self, change_id: str) -> bool:
        """Whether the deferred steps of the merged ``change_id`` are still owed, on the
        records stored before this push: once they are done, a further "retrospective"
        approval would only add evidence that nobody owes. One late review per push."""
        if change_id in self.late_taken:
            return False
        forge = LocalForge(self.repo, self.settings, base_tip=self.main_old or None,
                           verdicts=self.verdicts)  # fmt: skip
        expedited = evaluate(forge, forge.get_change(change_id)).expedited
        owed = expedited is not None and expedited.done_at is None
        if owed:
            self.late_taken.add(change_id)
        return owed

    def identity_problem(self, stored: Stored) -> str | None:
        """An opened/push/review record must be signed by the person it names; only the
        step-2 role opens a change."""
        event = stored.event
        assert event is not None
        if not self.signed_by(stored, {event.by}):
            return identity.unsigned(event.type, event.by)
        if event.type == "opened":
            sop, roles = self.policy
            head = str(event.get("head") or "")
            landed = self.repo.landed(self.main_old or "", head) if head else None
            files = [e.path for _, e in landed.changes] if landed else []
            content = self.settings.content.path
            return identity.opener_problem(sop, roles, event.by, files, content)
        return None

    @cached_property
    def policy(self) -> tuple[Sop, Roles]:
        """``sop.yml`` and ``roles.yml`` of the current main (who may notify and close)."""
        return policy_on(self.repo, self.main_old or "")

    @cached_property
    def verifier(self) -> Verifier:
        # A folder per push: concurrent pushes must not share the allowed-signers/check files.
        self._tmp = tempfile.TemporaryDirectory(prefix="terbit-receive-")
        return Verifier(self.policy[1], Path(self._tmp.name), self.verdicts)

    @cached_property
    def verdicts(self) -> Verdicts:
        """The server's kept signature verdicts: a record is verified at its first push only."""
        return kept_verdicts(self.repo)

    def signed_by(self, stored: Stored, allowed: set[str]) -> bool:
        """The record's author is in ``allowed`` and (unless signatures are off) signed it."""
        event = stored.event
        if event is None or event.by not in allowed:
            return False
        if self.settings.forge.signatures == "off":
            return True
        return self.verifier.check(stored.raw, stored.signature, event.by)[0]

    def opened(self, tip: str) -> Event:
        root = self.repo.run("rev-list", "--max-parents=0", tip).split()[0]
        event = metachain.read_commit(self.repo, root, ()).event
        if event is None or event.type != "opened":
            raise TerbitError(MSG("meta_first"))
        return event
