"""The embedded offline forge: changes and signed reviews stored in Git, enforced by hooks."""

from __future__ import annotations

from pipeline.forge.local.forge import LocalForge

__all__ = ["LocalForge"]
