"""The Forge interface on GitHub: pull requests are changes, PR reviews are the SOP's reviews.

People are mapped from GitHub logins to roles.yml ids with the roles file of the BASE branch,
so a pull request cannot make its own author a reviewer by editing roles.yml.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.change.model import Change, ChangeState
from pipeline.change.nota_dinas import parse_nota_dinas
from pipeline.config.roles import ROLES_FILE, Roles, load_roles
from pipeline.config.sop import SOP_FILE, load_sop
from pipeline.errors import ConfigError, InputError
from pipeline.forge.base import Notice
from pipeline.forge.github import mapping
from pipeline.forge.github.client import GitHubClient, NotFound, split_repo
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

if TYPE_CHECKING:
    from pipeline.config.settings import Settings

NOTICE_MARKER = "<!-- terbit:notice -->"

MSG = Catalog(
    {
        "no_repo": (
            "repositori GitHub tidak diketahui: atur GITHUB_REPOSITORY=PEMILIK/NAMA (di GitHub "
            "Actions sudah otomatis) atau remote 'origin' ke github.com",
            "unknown GitHub repository: set GITHUB_REPOSITORY=OWNER/NAME (automatic in GitHub "
            "Actions) or an 'origin' remote on github.com",
        ),
        "bad_id": (
            "perubahan '{id}' bukan nomor pull request",
            "change '{id}' is not a pull request number",
        ),
        "no_pr": (
            "pull request #{id} tidak ada di {repo}",
            "pull request #{id} does not exist in {repo}",
        ),
        "screenshot": ("Tangkapan layar", "Screenshot"),
    }
)

REMOTE_RE = re.compile(r"github\.com[:/]([^/\s]+/[^/\s]+?)(?:\.git)?/?$")


def repository_name(repo_root: Path | None = None) -> str:
    """OWNER/NAME from ``GITHUB_REPOSITORY`` (set by Actions), else from the origin remote."""
    name = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if not name and repo_root is not None:
        try:
            url = Repo.discover(repo_root).remote_url() or ""
        except ConfigError:  # not in a repository: only GITHUB_REPOSITORY can say
            url = ""
        match = REMOTE_RE.search(url)
        name = match.group(1) if match else ""
    if not name:
        raise ConfigError(MSG("no_repo"))
    split_repo(name)
    return name


class GitHubForge:
    """Changes are the pull requests of one repository."""

    kind = "github"

    def __init__(
        self, client: GitHubClient, *, repo_root: Path | None = None, records_path: str = "records"
    ) -> None:
        self.client = client
        self.repo_root = repo_root
        self.records_path = records_path
        self._roles: dict[str, Roles] = {}
        self._files: dict[tuple[str, str], str | None] = {}

    # -- people ------------------------------------------------------------------------------

    def roles_at(self, ref: str) -> Roles:
        """roles.yml at ``ref`` (the base branch); an empty list of people when it is absent."""
        if ref not in self._roles:
            text = self.read_file(ref, ROLES_FILE)
            self._roles[ref] = load_roles(text, f"{ROLES_FILE}@{ref}") if text else Roles(people=[])
        return self._roles[ref]

    def _lifters(self, ref: str, roles: Roles) -> frozenset[str]:
        """The head's role at ``ref`` (sop.yml's ``protected.role``): besides its reviewer,
        only they may lift a request for changes by dismissing it."""

        text = self.read_file(ref, SOP_FILE)
        try:
            sop = load_sop(text, SOP_FILE, known_roles=roles.titles) if text else None
        except ConfigError:  # the gate reports the broken policy itself
            return frozenset()
        return frozenset(p.id for p in roles.members(sop.protected_role)) if sop else frozenset()

    def _person_of(self, roles: Roles) -> mapping.PersonOf:
        def person_of(login: str | None) -> str | None:
            person = roles.by_github(login)
            return person.id if person else None

        return person_of

    # -- the Forge interface -----------------------------------------------------------------

    def read_file(self, rev: str, path: str) -> str | None:
        # One command reads roles.yml/sop.yml of the base more than once; ask GitHub once.
        key = (rev, path)
        if key not in self._files:
            self._files[key] = self.client.file_text(rev, path)
        return self._files[key]

    def get_change(self, change_id: str) -> Change:
        number = _number(change_id)
        try:
            pr = self.client.pull(number)
        except NotFound:
            raise InputError(MSG("no_pr", id=number, repo=self.client.repo)) from None
        return self._change(pr)

    def _change(self, pr: mapping.Payload) -> Change:
        number = int(pr["number"])
        timeline = self.client.timeline(number)
        roles = self.roles_at(pr["base"]["ref"])
        # Only an urgent merged PR can owe a review after its merge: ask for comments then.
        late = bool(pr.get("merged_at")) and _urgent(pr.get("body") or "")
        return mapping.change_of(
            pr,
            lifters=self._lifters(pr["base"]["ref"], roles),
            commits=self.client.pull_commits(number),
            reviews=self.client.pull_reviews(number),
            files=self.client.pull_files(number),
            timeline=timeline,
            person_of=self._person_of(roles),
            comments=self.client.comments(number) if late else None,
        )

    def list_changes(self, state: ChangeState | None = None) -> list[Change]:
        wanted = "open" if state == "open" else "all" if state is None else "closed"
        changes = [
            self._change(self.client.pull(int(pr["number"]))) for pr in self.client.pulls(wanted)
        ]
        if state is not None:
            changes = [change for change in changes if change.state == state]
        return sorted(changes, key=lambda change: change.opened_at)

    def merged_urgent(self, *, since: datetime, label: str) -> list[Change]:
        """The merged pull requests whose nota dinas took sop.yml's expedited path (the only
        ones that can owe a review after their merge) merged after ``since`` or still carrying
        ``label``. One list call; each of those read fully, so the passes every 15 minutes do
        not re-read every urgent PR there ever was (Actions' token has 1,000 requests an hour).
        """
        found = []
        for pr in self.client.pulls("closed"):
            merged = mapping.when(pr.get("merged_at"))
            if merged is None or not _urgent(pr.get("body") or ""):
                continue
            labels = {item.get("name") for item in pr.get("labels") or [] if isinstance(item, dict)}
            if merged >= since or label in labels:
                found.append(self.get_change(str(pr["number"])))
        return sorted(found, key=lambda change: change.opened_at)

    def change_for_merge(self, merge_sha: str) -> Change | None:
        """The PR whose merge (or squash/rebase) produced ``merge_sha``."""
        candidates = [pr for pr in self.client.pulls_for_commit(merge_sha) if pr.get("merged_at")]
        exact = [pr for pr in candidates if pr.get("merge_commit_sha") == merge_sha]
        if not (exact or candidates):
            return None
        chosen = (exact or candidates)[0]
        return self._change(self.client.pull(int(chosen["number"])))

    def add_notice(self, change_id: str, text: str, attachments: list[Path] | None = None) -> None:
        """Step 7: one comment on the PR (kept up to date when publishing is re-run)."""
        lines = [text.rstrip()]
        for path in attachments or []:
            url = self._file_url(path)
            lines.append(f"\n![{MSG('screenshot')}: {path.name}]({url})" if url else f"\n`{path}`")
        self.client.upsert_comment(_number(change_id), NOTICE_MARKER, "\n".join(lines))

    def notices(self, change_id: str) -> list[Notice]:
        found = []
        for comment in self.client.comments(_number(change_id)):
            body = comment.get("body") or ""
            if NOTICE_MARKER not in body:
                continue
            found.append(
                Notice(
                    id=str(comment["id"]),
                    at=mapping.when(comment.get("updated_at") or comment["created_at"]),  # type: ignore[arg-type]
                    by=mapping.login(comment.get("user")) or "",
                    text=body.replace(NOTICE_MARKER, "").strip(),
                    attachments=re.findall(r"!\[[^\]]*\]\(([^)]+)\)", body),
                )
            )
        return found

    def sync(self) -> None:
        """Nothing to fetch: every read asks GitHub."""

    def signatures_required(self) -> bool:
        # GitHub authenticates every reviewer itself; there is no signature for Terbit to check.
        return False

    def _file_url(self, path: Path) -> str | None:
        """Where a screenshot can be seen on the default branch once the record is committed.

        Publishing shoots into ``.terbit/publish/work/shots/<record id>/`` and the record commit
        (step 8, right after the notice) copies the files to ``<records_path>/<record id>/``.
        """
        if self.repo_root is None:
            return None
        try:
            relative = path.resolve().relative_to(self.repo_root.resolve())
        except ValueError:
            return None
        if len(relative.parts) >= 3 and relative.parts[-3] == "shots":
            relative = Path(self.records_path.strip("/"), relative.parts[-2], relative.name)
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        branch = os.environ.get("GITHUB_REF_NAME") or "main"
        return f"{server}/{self.client.repo}/blob/{branch}/{relative.as_posix()}?raw=true"


def _urgent(body: str) -> bool:
    """The nota dinas asks for sop.yml's expedited path: a written ``alasan_segera`` (only a
    "Sangat Segera" memo may carry one)."""
    try:
        return bool(parse_nota_dinas(body).alasan_segera.strip())
    except InputError:
        return False  # the gate reports the nota dinas itself


def _number(change_id: str) -> int:
    text = str(change_id).lstrip("#")
    if not text.isdigit():
        raise InputError(MSG("bad_id", id=change_id))
    return int(text)


def open_forge(repo_root: Path, settings: Settings | None = None) -> GitHubForge:
    """The GitHub forge for the repository checked out at ``repo_root``."""
    client = GitHubClient(repository_name(repo_root))
    records = settings.publish.records_path if settings is not None else "records"
    return GitHubForge(client, repo_root=repo_root, records_path=records)


__all__ = ["GitHubForge", "open_forge", "repository_name"]
