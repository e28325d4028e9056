"""What a stage of the publication may do with its state file, so that a killed publication
resumes where it stopped (``pipeline.publication.state.State`` is the one implementation)."""

from __future__ import annotations

from typing import Any, Protocol


class Progress(Protocol):
    """The publication's state as a stage sees it: its result saved atomically, its progress."""

    def save(self, stage: str, value: dict[str, Any]) -> None:
        """Record ``stage`` as done with ``value`` (JSON), atomically."""
        ...

    def note(self, key: str, value: dict[str, Any]) -> None:
        """Remember progress inside a stage (e.g. an e-mail being sent) before acting on it."""
        ...

    def recall(self, key: str) -> dict[str, Any] | None:
        """Progress remembered by ``note``, if any."""
        ...

    def checkpoint(self, point: str) -> None:
        """A named point inside a stage where the tests' fault injection may kill the process."""
        ...
