"""Who counts: each review in time order, whether it counts at all, and who wrote the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline.change.model import Change, Review
from pipeline.config.acting import Acting
from pipeline.config.delegation import Absence, local_day
from pipeline.config.roles import Person, Roles
from pipeline.config.sop import Sop
from pipeline.gate.messages import DISPLAY_TZ, MSG, short_sha, when


@dataclass(frozen=True)
class Seen:
    """A review in time order, with why it does not count at all (None: it counts)."""

    pos: int
    review: Review
    person: Person | None
    void: str | None


class Context:
    def __init__(self, change: Change, sop: Sop, roles: Roles, signatures_required: bool) -> None:
        self.change = change
        self.sop = sop
        self.roles = roles
        self.signatures_required = signatures_required
        self.authors = authors_of(change, roles)
        self.last_push = max((p.at for p in change.pushes), default=None)
        # Acting windows are days in the office's own zone.
        self.tz = sop.calendar.tz if sop.calendar is not None else DISPLAY_TZ
        self.gate_roles = {s.approver_role or s.role for s in sop.gate_steps} | {sop.protected_role}
        ordered = sorted(enumerate(change.reviews), key=lambda item: (item[1].at, item[0]))
        self.reviews = [self._see(pos, review) for pos, (_, review) in enumerate(ordered)]

    def _see(self, pos: int, review: Review) -> Seen:
        person = self.roles.get(review.reviewer)
        void = None
        if review.dismissed:
            void = MSG("dismissed")
        elif person is None:
            void = MSG("unknown_person", who=review.reviewer)
        elif not person.active:
            void = MSG("inactive", who=person.id)
        elif self.signatures_required and review.signature_ok is not True:
            void = MSG("unsigned", note=review.signature_note or MSG("no_signature"))
        return Seen(pos, review, person, void)

    def acting(self, seen: Seen, role: str, step: int | None = None) -> Acting | None:
        """The Plh/Plt assignment under which ``seen`` speaks for ``role`` at SOP step ``step``
        (None: any step) -- a dated one from roles.yml, else a standing delegation of sop.yml
        that applies that day; None when it does not, or the person holds the role."""
        if seen.person is None or role in seen.person.roles:
            return None
        dated = next(
            (
                a
                for a in self.roles.acting_for(seen.person.id, role)
                if a.covers(seen.review.at, self.tz)
            ),
            None,
        )
        return dated or self._delegated(seen, role, step)

    def _delegated(self, seen: Seen, role: str, step: int | None) -> Acting | None:
        """Acting under a sop.yml rule naming the reviewer for ``role`` and ``step``, on a day
        every active holder of ``role`` is recorded absent."""
        person = seen.person
        assert person is not None
        for rule in self.sop.delegations:
            if rule.role != role or not rule.names(person.id, person.roles):
                continue
            if step is not None and step not in rule.steps:
                continue
            away = self._all_absent(role, local_day(seen.review.at, self.tz))
            if away is not None:
                return Acting(person=person.id, role=role, kind=rule.kind, start=away.start,
                              to=away.to, nomor=rule.nomor)  # fmt: skip
        return None

    def _all_absent(self, role: str, day: date) -> Absence | None:
        """An absence of the role's holders that day when ALL are absent (None otherwise; a
        role nobody holds is vacant, not absent: a vacancy needs a dated Plt)."""
        holders = self.roles.members(role)
        away = [self.roles.absence(p.id, day) for p in holders]
        if not holders or any(a is None for a in away):
            return None
        return away[0]

    def holds(self, seen: Seen, role: str, step: int | None = None) -> bool:
        """Whether the reviewer holds ``role`` at the review's time (own or acting)."""
        if seen.person is None:
            return False
        return role in seen.person.roles or self.acting(seen, role, step) is not None

    def roles_at(self, seen: Seen) -> set[str]:
        """Every role the reviewer held when reviewing: their own and those they acted for."""
        if seen.person is None:
            return set()
        acting = {a.role for a in self.roles.acting if a.person == seen.person.id}
        acting |= {rule.role for rule in self.sop.delegations}
        return set(seen.person.roles) | {r for r in acting if self.acting(seen, r)}

    def outside_window(self, seen: Seen, role: str, step: int | None = None) -> str | None:
        """Why an acting official's review does not count for ``role``: outside every dated
        window, or a standing delegation that does not apply (step, nobody recorded absent)."""
        person = seen.person
        if person is None or role in person.roles or self.acting(seen, role, step) is not None:
            return None
        windows = self.roles.acting_for(person.id, role)
        if windows:
            return windows[0].outside(person.id, self.role_title(role), seen.review.at, self.tz)
        rules = [
            r for r in self.sop.delegations if r.role == role and r.names(person.id, person.roles)
        ]
        # A stand-in with a review role of their own (a Katimker named by role) approves their
        # own steps all the time: explaining each of those under the head's step is noise.
        if not rules or set(person.roles) & self.gate_roles:
            return None
        if step is not None and all(step not in r.steps for r in rules):
            return rules[0].not_step()
        day = local_day(seen.review.at, self.tz)
        present = [p.id for p in self.roles.members(role) if not self.roles.absence(p.id, day)]
        return rules[0].not_absent(person.id, self.role_title(role), day, present)

    def role_title(self, role: str) -> str:
        return self.roles.title(role)

    def head_problem(self, seen: Seen) -> str | None:
        """Why an approval is not bound to the current head (None when it is)."""
        review = seen.review
        if review.commit != self.change.head_sha:
            return MSG(
                "stale_commit",
                commit=short_sha(review.commit),
                head=short_sha(self.change.head_sha),
            )
        if self.last_push is not None and review.at < self.last_push:
            return MSG("before_push", push=when(self.last_push))
        return None

    def approval_problem(self, seen: Seen, role: str, bound: bool) -> str | None:
        """Why this approval cannot prove a step of ``role`` (None when it can)."""
        return self.classify(seen, role, bound)[0]

    def classify(
        self, seen: Seen, role: str, bound: bool, step: int | None = None
    ) -> tuple[str | None, bool]:
        """``(why, stale)``: why the approval does not count, and whether a new push voided it
        (a stale approval waits for a fresh one; the others were refused)."""
        if seen.void:
            return seen.void, False
        person = seen.person
        if person is None or not self.holds(seen, role, step):
            if outside := self.outside_window(seen, role, step):
                return outside, False
            who = person.id if person else seen.review.reviewer
            return MSG("not_member", who=who, role=self.role_title(role)), False
        if person.id in self.authors:
            return MSG("self_approval", who=person.id), False
        if bound and (why := self.head_problem(seen)):
            return why, True
        return None, False


def authors_of(change: Change, roles: Roles) -> set[str]:
    """Everyone who wrote part of the change: submitter, commit authors, verified signers and
    whoever pushed to it (a pusher chose what the change holds, whoever's name is on it)."""
    authors = {change.author} if change.author else set()
    authors |= {push.by for push in change.pushes if push.by and roles.get(push.by)}
    for commit in change.commits:
        person = roles.by_email(commit.author_email)
        if person:
            authors.add(person.id)
        if commit.signer:
            authors.add(commit.signer)
        if commit.account:
            authors.add(commit.account)
    return authors


def describe(seen: Seen, why: str) -> str:
    review = seen.review
    return MSG("review_not_counted", who=review.reviewer, at=when(review.at), why=why)
