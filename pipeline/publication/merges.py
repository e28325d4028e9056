"""Which merges a publication is about, with which settings, and how a person retries one.

Light on purpose: the commands that only ask these questions start without the stages.
"""

from __future__ import annotations

import shlex

from pipeline.config.settings import Settings, load_settings
from pipeline.forge.local.store.forge import main_settings
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "retry_github": (
            "jalankan ulang alur kerja publish di GitHub Actions untuk merge {sha}",
            "re-run the publish workflow in GitHub Actions for merge {sha}",
        ),
    }
)


def repo_settings(repo: Repo) -> Settings:
    """``terbit.yml`` of a work tree, or as committed on main in a bare (server) repository."""
    if repo.work_tree is not None:
        return load_settings(repo.work_tree)
    return main_settings(repo)


def latest_merge(repo: Repo) -> str | None:
    """The newest merge on main that is not a record commit."""
    tip = repo.rev_parse("refs/heads/main") or repo.head()
    if tip is None:
        return None
    found = repo.run("rev-list", "--first-parent", "--merges", "-n", "1", tip)
    return found or None


def new_merges(repo: Repo, old: str, new: str) -> list[str]:
    """First-parent merges between ``old`` and ``new``, oldest first."""
    if old == "0" * 40:  # a new server: only the newest merge, not the whole history
        found = repo.run("rev-list", "--first-parent", "--merges", "-n", "1", new)
        return [found] if found else []
    return list(
        reversed(repo.run("rev-list", "--first-parent", "--merges", f"{old}..{new}").split())
    )


def retry_command(repo: Repo, merge: str, settings: Settings | None = None) -> str:
    """The command that retries this publication where it ran (the server's repository)."""
    if settings is not None and settings.forge.kind == "github":
        return MSG("retry_github", sha=merge)
    where = repo.work_tree or repo.git_dir
    return f"terbit publish {merge} --resume --repo {shlex.quote(str(where))}"
