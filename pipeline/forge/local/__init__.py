"""The embedded offline forge: changes and signed reviews stored in Git, enforced by hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.forge.local.forge import LocalForge

__all__ = ["LocalForge"]


def __getattr__(name: str) -> Any:
    # Lazy: the server's hooks import this package on every push and should start fast.
    if name == "LocalForge":
        from pipeline.forge.local.forge import LocalForge

        return LocalForge
    raise AttributeError(name)
