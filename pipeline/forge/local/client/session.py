"""Opening the forge for a command typed in a person's clone (or on the server).

Settings come from ``terbit.yml`` on the target branch, never from the work tree, so a draft
cannot switch signature checks off for itself. In a clone the forge is a ``CloneForge``: what
it records (a notice) goes to the server as the person's own signed push.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.change.model import Change
from pipeline.config.settings import Settings
from pipeline.errors import ConfigError
from pipeline.forge.local.client.actions import append_event, identity
from pipeline.forge.local.store.forge import LocalForge, notice_data, settings_at
from pipeline.forge.local.store.metachain import Stored
from pipeline.forge.local.store.signing import MSG as SIG_MSG
from pipeline.forge.local.store.verdicts import Verdicts, kept_verdicts
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


class CloneForge(LocalForge):
    """The embedded forge seen from a person's clone: it reads the fetched refs and writes
    through the server, whose hooks check every record. Unless given others, the signature
    verdicts it reaches are kept in the clone's own state folder (``kept_verdicts``), so the
    person's next command does not verify the same record again."""

    def __init__(
        self, repo: Repo, settings: Settings, *, remote: str | None = "origin",
        verdicts: Verdicts | None = None,
    ) -> None:  # fmt: skip
        self._kept = verdicts is None
        kept = kept_verdicts(repo) if verdicts is None else verdicts
        super().__init__(repo, settings, remote=remote, verdicts=kept)

    def get_change(self, change_id: str, chain: list[Stored] | None = None) -> Change:
        change = super().get_change(change_id, chain)
        if self._kept:
            self._verdicts.flush()
        return change

    def add_notice(self, change_id: str, text: str, attachments: list[Path] | None = None) -> None:
        files = list(attachments or [])
        append_event(self, identity(self), change_id, "notice", notice_data(text, files), files)


def open_at(repo_root: Path, settings: Settings) -> LocalForge:
    """The embedded forge of the repository at ``repo_root``: the server's own (bare) or a
    clone's, with ``settings`` as given (the caller read them)."""
    repo = Repo(repo_root)
    if repo.bare:
        return LocalForge(repo, settings)
    # Verdicts in memory only: an audit (``terbit verify``) trusts no file it did not write now.
    return CloneForge(repo, settings, remote="origin", verdicts=Verdicts())


def open_local(start: Path | str = ".", *, sync: bool = True) -> LocalForge:
    """The embedded forge for the repository around ``start``, synced with its server."""
    repo = Repo.discover(start)
    if repo.bare:
        forge = LocalForge(repo, Settings())
    else:
        if repo.config("remote.origin.url") is None:
            raise ConfigError(MSG("no_origin"))
        forge = CloneForge(repo, Settings(), remote="origin")
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
