"""Whether an approval about to be given will count: asked by ``terbit review`` before it signs.

The gate is run on the change as it would be with the new approval; when the approval proves no
step and the gate says why (out of order, wrong role, own change, inactive), that reason is
returned so the reviewer hears it at once instead of finding a silent, useless record later.
"""

from __future__ import annotations

import dataclasses

from pipeline.change.model import Change, Review
from pipeline.clock import now
from pipeline.forge.local.rules.policy import evaluate
from pipeline.forge.local.store.forge import LocalForge
from pipeline.gate.context import Seen, describe

PENDING_ID = "terbit-pending-review"


def approval_problem(forge: LocalForge, change: Change, who: str) -> str | None:
    """Why an approval by ``who`` of ``change``'s head would not count (None: it would, or it
    would merely repeat one that already counts)."""
    signed = True if forge.signatures_required() else None
    review = Review(
        id=PENDING_ID, reviewer=who, state="approve", commit=change.head_sha,
        at=max([now(), *(r.at for r in change.reviews)]), signature_ok=signed,
    )  # fmt: skip
    future = dataclasses.replace(change, reviews=[*change.reviews, review])
    report = evaluate(forge, future)
    if any(s.review_id == PENDING_ID for s in [*report.steps, *report.extra]):
        return None
    prefix = describe(Seen(0, review, None, None), "")
    others = [describe(Seen(0, r, None, None), "") for r in change.reviews]
    for text in [*(s.reason or "" for s in [*report.steps, *report.extra]), *report.notes]:
        start = text.find(prefix)
        if start < 0:
            continue
        rest = text[start + len(prefix) :]
        # A step's reason lists several reviews ("; "-joined): keep only this one's.
        ends = [rest.find("; " + other) for other in others if other != prefix]
        return rest[: min([e for e in ends if e >= 0], default=len(rest))]
    return None
