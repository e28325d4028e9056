"""The one error type for problems a user can fix; the CLI turns it into a clean message."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_INPUT = 1  # the input (drafts, a change) has problems
EXIT_USAGE = 2  # usage or configuration error


@dataclass(frozen=True)
class Problem:
    """One located problem: ``path:line: message``."""

    path: str
    line: int | None
    message: str
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class TerbitError(Exception):
    """A problem the user can fix. ``message`` is already in the user's language."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.problems = problems or []

    def __str__(self) -> str:
        if self.path:
            where = f"{self.path}:{self.line}" if self.line else self.path
            return f"{where}: {self.message}"
        return self.message


class InputError(TerbitError):
    """The content or the change under review has problems (exit 1)."""

    exit_code = EXIT_INPUT


class ConfigError(TerbitError):
    """A configuration file or command line is wrong (exit 2)."""

    exit_code = EXIT_USAGE


class AccessError(InputError):
    """The person may not do this (not their role, not their step, their own change)."""


class StaleError(InputError):
    """Someone else acted since the person loaded the page (the change moved on)."""


class CredentialError(InputError):
    """A wrong password or passphrase (counted towards a lockout)."""
