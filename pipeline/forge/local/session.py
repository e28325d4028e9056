"""Opening the forge for a command typed in a person's clone (or on the server).

Settings come from ``terbit.yml`` on the target branch, never from the work tree, so a draft
cannot switch signature checks off for itself.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.config.settings import SETTINGS_FILE, Settings, parse_settings
from pipeline.errors import ConfigError
from pipeline.forge.local.forge import LocalForge
from pipeline.forge.local.signing import MSG as SIG_MSG
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "github": (
            "terbit.yml memakai forge.kind: github; gunakan pull request di GitHub "
            "(lihat docs/github.md)",
            "terbit.yml uses forge.kind: github; use pull requests on GitHub (see docs/github.md)",
        ),
        "no_origin": (
            "klon ini tidak punya remote 'origin' ke repositori server; "
            "klon ulang dengan `git clone SERVER`",
            "this clone has no 'origin' remote pointing at the server; "
            "clone again with `git clone SERVER`",
        ),
    }
)


def settings_at(repo: Repo, tip: str | None) -> Settings:
    text = repo.show_file(tip, SETTINGS_FILE) if tip else None
    return parse_settings(text, SETTINGS_FILE) if text else Settings()


def open_local(start: Path | str = ".", *, sync: bool = True) -> LocalForge:
    """The embedded forge for the repository around ``start``, synced with its server."""
    repo = Repo.discover(start)
    if repo.bare:
        forge = LocalForge(repo, Settings())
    else:
        if repo.config("remote.origin.url") is None:
            raise ConfigError(MSG("no_origin"))
        forge = LocalForge(repo, Settings(), remote="origin")
        if sync:
            forge.sync()
    forge.settings = settings_at(repo, repo.rev_parse(forge.base_ref))
    if forge.settings.forge.kind == "github":
        raise ConfigError(MSG("github"))
    warn_if_unsigned(forge)
    return forge


def warn_if_unsigned(forge: LocalForge) -> None:
    if not forge.signatures_required():
        click.secho(SIG_MSG("off"), err=True, fg="red", bold=True)
