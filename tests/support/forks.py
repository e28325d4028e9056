"""What a build's forks reported, kept by a ``Progress`` (tests of the two-core build)."""

from __future__ import annotations


class ForkLog:
    """A build's progress that keeps what its forks reported (``Progress.fork``)."""

    def __init__(self) -> None:
        self.forks: list[tuple[str, int, bool]] = []

    def start(self, total_read: int) -> None:
        pass

    def update(self, read: int, written: int, reused: int) -> None:
        pass

    def stop(self) -> None:
        pass

    def fork(self, job: str, items: int, ok: bool) -> None:
        self.forks.append((job, items, ok))

    def did(self, job: str, ok: bool = True) -> bool:
        """Whether a fork did ``job`` (some items, all its share when ``ok``; failed when not)."""
        return any(j == job and o == ok and (n > 0 or not ok) for j, n, o in self.forks)
