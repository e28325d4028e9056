"""Who counts: each review in time order, whether it counts at all, and who wrote the change."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.change.model import Change, Review
from pipeline.config.acting import Acting
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

    def acting(self, seen: Seen, role: str) -> Acting | None:
        """The Plh/Plt assignment under which ``seen`` speaks for ``role`` (None: it does not,
        or the person holds the role themselves)."""
        if seen.person is None or role in seen.person.roles:
            return None
        return next(
            (
                a
                for a in self.roles.acting_for(seen.person.id, role)
                if a.covers(seen.review.at, self.tz)
            ),
            None,
        )

    def holds(self, seen: Seen, role: str) -> bool:
        """Whether the reviewer holds ``role`` at the review's time (own or acting)."""
        if seen.person is None:
            return False
        return role in seen.person.roles or self.acting(seen, role) is not None

    def roles_at(self, seen: Seen) -> set[str]:
        """Every role the reviewer held when reviewing: their own and those they acted for."""
        if seen.person is None:
            return set()
        acting = {a.role for a in self.roles.acting if a.person == seen.person.id}
        return set(seen.person.roles) | {r for r in acting if self.acting(seen, r)}

    def outside_window(self, seen: Seen, role: str) -> str | None:
        """Why an acting official's review falls outside every window for ``role``."""
        if seen.person is None or role in seen.person.roles:
            return None
        windows = self.roles.acting_for(seen.person.id, role)
        if not windows or self.acting(seen, role) is not None:
            return None
        return windows[0].outside(seen.person.id, self.role_title(role), seen.review.at, self.tz)

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

    def classify(self, seen: Seen, role: str, bound: bool) -> tuple[str | None, bool]:
        """``(why, stale)``: why the approval does not count, and whether a new push voided it
        (a stale approval waits for a fresh one; the others were refused)."""
        if seen.void:
            return seen.void, False
        person = seen.person
        if person is None or not self.holds(seen, role):
            if outside := self.outside_window(seen, role):
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
