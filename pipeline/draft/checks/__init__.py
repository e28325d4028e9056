"""``terbit check``: every draft checked on its own; one bad file never hides another's problems.

Each check is a small function ``(Context, Draft) -> list[Finding]`` in its own module. A check
that fails unexpectedly becomes a finding on that file (and the rest carry on), never a crash.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import yamlsrc
from pipeline.config.roles import ROLES_FILE, load_roles
from pipeline.config.settings import Settings
from pipeline.draft.checks import files, slugs
from pipeline.draft.checks.base import Context, Draft, Finding, Listing
from pipeline.draft.checks.body import check_body, check_meta_images
from pipeline.draft.checks.index import DraftFacts, index
from pipeline.draft.checks.meta import check_front_matter
from pipeline.draft.checks.personal import check_personal
from pipeline.draft.checks.reserved import check_reserved_slug
from pipeline.draft.checks.text import bracket_flood, check_field_controls, check_stray_controls
from pipeline.errors import TerbitError
from pipeline.i18n import Catalog

# Past this many problems in one file the rest are counted, not listed: the author fixes the
# cause (a pasted table of phone numbers, say) and runs the check again.
MAX_PER_FILE = 100

MSG = Catalog(
    {
        "more": (
            "… dan {count} masalah lain di berkas ini (hanya {shown} yang pertama ditampilkan)",
            "… and {count} more problems in this file (only the first {shown} are shown)",
        ),
        "crashed": (
            "pemeriksaan '{check}' gagal pada berkas ini ({error}); laporkan ke admin",
            "the '{check}' check failed on this file ({error}); report it to the admin",
        ),
    }
)

Check = Callable[[Context, Draft], list[Finding]]
# Run after the front matter parsed (they need the body or the fields).
PARSED_CHECKS: tuple[Check, ...] = (
    check_meta_images,
    check_body,
    check_field_controls,
    check_reserved_slug,
)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)  # what is shown (capped per file)
    checked: int = 0
    total: int | None = None  # every problem found, shown or not
    warnings: list[Finding] = field(default_factory=list)  # said, never refused (exit 0)

    @property
    def count(self) -> int:
        return len(self.findings) if self.total is None else self.total

    @property
    def files_with_problems(self) -> int:
        return len({f.path for f in self.findings})


def _people(root: Path) -> tuple[set[str] | None, list[Finding]]:
    """Person ids from roles.yml, or None (plain names allowed) when there is no roles.yml."""
    file = root / ROLES_FILE
    if not os.path.lexists(file):
        return None, []
    try:
        roles = load_roles(yamlsrc.read_text(file, ROLES_FILE), ROLES_FILE)
        return set(roles.by_id), []
    except TerbitError as bad:
        # Authors cannot be checked against a broken roles.yml: say so rather than pass them.
        return None, [Finding(bad.path or ROLES_FILE, bad.line, "roles", bad.message)]


def _guarded(check: Check, ctx: Context, draft: Draft) -> list[Finding]:
    try:
        return check(ctx, draft)
    except Exception as error:  # a bug in one check must not stop the others
        name = check.__name__.removeprefix("check_")
        message = MSG("crashed", check=name, error=f"{type(error).__name__}: {error}")
        return [draft.find(None, "internal", message)]


def check_paths(
    root: Path,
    settings: Settings,
    paths: list[Path] | None = None,
    *,
    listing: Listing | None = None,
    others: Mapping[str, DraftFacts] | None = None,
) -> Report:
    """Check the drafts under ``paths`` (default: the whole content folder). ``listing`` and
    ``others``: the files and the other drafts' facts of a tree of which only the drafts under
    check are on disk (a change's landed tree); by default the content folder is read."""
    root = root.resolve()
    content = Path(os.path.normpath(root / settings.content.path))
    people, report_findings = _people(root)
    zone = settings.site.timezone
    ctx = Context(root, content, settings.content, people, timezone=zone, listing=listing)
    targets = paths if paths else [content]
    if not paths and not content.is_dir():
        return Report(report_findings, 0)
    drafts, findings = files.discover(ctx, targets)
    # Files refused before reading (symlinks out, outside the repository) were checked too.
    report = Report(report_findings + findings, len(drafts) + len({f.path for f in findings}))
    parsed: list[Draft] = []
    flooded: set[str] = set()  # their body is not tokenised (time grows with the square)
    for draft in drafts:
        problems = _guarded(files.read, ctx, draft)
        if draft.text is not None:
            problems += _guarded(check_stray_controls, ctx, draft)
            problems += _guarded(check_front_matter, ctx, draft)
            if flood := bracket_flood(draft):
                problems.append(flood)
                flooded.add(draft.rel)
            problems += _guarded(check_personal, ctx, draft)
            if draft.parsed is not None:
                parsed.append(draft)
        report.findings += problems
    entries, pages = index(ctx, drafts, others)
    ctx = Context(root, content, settings.content, people, pages, zone, listing)
    for draft in parsed:
        for check in PARSED_CHECKS:
            if check is check_body and draft.rel in flooded:
                continue
            report.findings += _guarded(check, ctx, draft)
    report.findings += slugs.duplicates(entries, {d.rel for d in drafts})
    report.warnings = [f for f in report.findings if f.severity == "warning"]
    report.findings = [f for f in report.findings if f.severity != "warning"]
    report.total = len(report.findings)
    report.findings = _capped(sorted(report.findings, key=lambda f: (f.path, f.line or 0)))
    return report


def _capped(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    per_file: dict[str, int] = {}
    for finding in findings:
        per_file[finding.path] = per_file.get(finding.path, 0) + 1
        if per_file[finding.path] <= MAX_PER_FILE:
            kept.append(finding)
    for path, count in per_file.items():
        if count > MAX_PER_FILE:
            message = MSG("more", count=count - MAX_PER_FILE, shown=MAX_PER_FILE)
            kept.append(Finding(path, None, "more", message))
    kept.sort(key=lambda f: (f.path, f.line is None and f.code == "more", f.line or 0))
    return kept
