"""Shared fixtures: real git repositories and the browser launch settings."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.schedule import group, longest_first
from tests.support.sshd import SshServer, start_sshd

REPO_ROOT = Path(__file__).resolve().parent.parent

# Tests must never pick up the developer's git identity or global hooks.
os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
os.environ["TERBIT_LANG"] = "id"
# No "waiting for you" e-mail from the hooks except in the tests of notifications.
os.environ["TERBIT_NOTIFY"] = "off"
# No page check started by the hooks (each costs an interpreter per review push, a build and a
# browser) except in the tests of the page check, which ask for it (TERBIT_PAGE_CHECK=sync).
os.environ["TERBIT_PAGE_CHECK"] = "off"
os.environ["TERBIT_WARM"] = "off"  # no warm build process per web app; tests/render start theirs


def git(cwd: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Create a real repository: ``make_repo("name", bare=False)``; user.name/email are set."""

    def _make(name: str = "repo", *, bare: bool = False) -> Path:
        path = tmp_path / name
        path.mkdir(parents=True, exist_ok=True)
        args = ["init", "--quiet", "--initial-branch=main"] + (["--bare"] if bare else [])
        git(path, *args)
        git(path, "config", "user.name", "Penguji Terbit")
        git(path, "config", "user.email", "penguji@example.test")
        git(path, "config", "commit.gpgsign", "false")
        return path

    return _make


@pytest.fixture(scope="session", autouse=True)
def _build_cache_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build caches of the session's sites in its own temporary folder, not ~/.cache."""
    os.environ["TERBIT_CACHE_HOME"] = str(tmp_path_factory.mktemp("terbit-cache"))


class _OneRoundKeys:
    """cryptography's ``serialization`` as pipeline/web/keys.py sees it in the tests: the
    passphrase's KDF at one bcrypt round instead of the library's 16."""

    def __getattr__(self, name: str) -> object:
        from cryptography.hazmat.primitives import serialization

        return getattr(serialization, name)

    @staticmethod
    def BestAvailableEncryption(password: bytes) -> object:  # the library's name
        from cryptography.hazmat.primitives import serialization

        one_round = serialization.PrivateFormat.OpenSSH.encryption_builder().kdf_rounds(1)
        return one_round.build(password)


@pytest.fixture(scope="session", autouse=True)
def _cheapest_secrets() -> Iterator[None]:
    """Web passwords hashed and checked in this process at argon2's cheapest cost (the
    library's profile for tests), the web app's signing keys kept under one bcrypt round: at
    the libraries' costs each is 0.2-1 s, and the web tests sign in and sign hundreds of times.
    The same code and checks; a hash and a key carry their cost, so the app in a process of its
    own reads them and keeps its own costs (tests/web/test_web_secret_cost.py)."""
    from argon2 import PasswordHasher, profiles

    from pipeline.web import accounts, keys

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", cheap)
        patch.setattr(keys, "serialization", _OneRoundKeys())
        yield


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A language chosen in one test (``--lang en``, ``set_lang``) must not leak into the next:
    the language is a ContextVar, which outlives a test in the same thread."""
    from pipeline import i18n

    token = i18n._lang.set(None)
    yield
    i18n._lang.reset(token)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """pytest-playwright: use Playwright's Chromium where installed, else the system one."""
    from pipeline.evidence.browser import launch_options

    return launch_options()


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """A real OpenSSH server on 127.0.0.1 for one test module; stopped at teardown."""
    with start_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist's own sort of the work units (most tests first) would undo the order of
    ``pytest_collection_modifyitems``."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests sharing an office across a module (``xdist_group``) must run on one worker: a
    pytest that drops the group from the node id would split them, and they would fail
    far from the cause. Say so here instead. And the longest work units go first
    (tests/support/schedule.py), so that no long group starts as the other worker runs out."""
    tests = [(i.nodeid, group(i.iter_markers("xdist_group")), bool(i.get_closest_marker("slow")))
             for i in items]  # fmt: skip
    items[:] = [items[i] for i in longest_first(tests)]
    if not getattr(config.option, "loadgroup", False):
        return
    split = [i.nodeid for i in items if i.get_closest_marker("xdist_group") and "@" not in i.nodeid]
    if split:
        raise pytest.UsageError(
            f"--dist loadgroup has no effect with this pytest ({pytest.__version__}): "
            f"{split[0]} carries no group; install the pytest range of pyproject.toml"
        )
