"""Forges: where changes, reviews and merges live (embedded Git forge by default, or GitHub)."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.forge.base import Forge, Notice

if TYPE_CHECKING:
    from pipeline.config.settings import Settings

__all__ = ["Forge", "Notice", "open_forge"]


def open_forge(repo_root: Path, settings: Settings) -> Forge:
    """The forge configured in ``terbit.yml`` (``forge.kind``) for the repository at ``repo_root``.

    ``repo_root`` is a clone (work tree) or, on the embedded server, the bare repository.
    """
    if settings.forge.kind == "github":
        module = import_module("pipeline.forge.github")
        return module.open_forge(repo_root, settings)  # type: ignore[no-any-return]
    from pipeline.forge.local import LocalForge

    return LocalForge.open(repo_root, settings)
