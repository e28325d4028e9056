"""Forges: where changes, reviews and merges live (embedded Git forge by default, or GitHub)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.config.settings import Settings
    from pipeline.forge.base import Forge, Notice

__all__ = ["Forge", "Notice", "open_forge"]


def __getattr__(name: str) -> Any:
    # On first use, not at import: ``pre-receive`` imports ``forge.local.store.pushlock``
    # before it knows it needs anything else, and this package runs first.
    if name in ("Forge", "Notice"):
        # start-up: the settings and change models, a quarter of a second of each hook's.
        from pipeline.forge import base

        return getattr(base, name)
    raise AttributeError(name)


def open_forge(repo_root: Path, settings: Settings) -> Forge:
    """The forge configured in ``terbit.yml`` (``forge.kind``) for the repository at ``repo_root``.

    ``repo_root`` is a clone (work tree) or, on the embedded server, the bare repository.
    """
    if settings.forge.kind == "github":
        # Here, not at the top: every push's pre-receive hook imports this package, and the
        # GitHub client (githubkit) would add 0.3 s to its start-up (python -X importtime).
        from pipeline.forge.github.forge import open_forge as open_github

        return open_github(repo_root, settings)
    # Here too: a hook importing ``pipeline.forge.local.…`` runs this file first, and the
    # client (submit, review, merge), which no hook needs, would add to every hook's start-up.
    from pipeline.forge.local.client.session import open_at

    return open_at(repo_root, settings)
