"""Which files of a change need the head's approval: protection is an allow-list.

A change may add, modify or delete only what the content model allows (drafts and images of
the allowed types under the content folder) on the reviewers' approvals alone; every other
path — settings, roles, the SOP, workflows, code, theme, and anything new nobody thought to
list — needs the approval of ``sop.yml``'s ``protected.role`` on the head commit. The globs of
``protected.paths`` add paths inside the content folder that need it too (none by default).
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.config.sop import Sop
from pipeline.draft.content_model import in_model


def needs_head(sop: Sop, path: str, content_path: str = "content") -> bool:
    return not in_model(path, content_path) or sop.is_protected(path)


def protected_files(sop: Sop, files: Iterable[str], content_path: str = "content") -> list[str]:
    return sorted({f for f in files if needs_head(sop, f, content_path)})
