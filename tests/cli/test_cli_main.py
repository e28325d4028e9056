"""The top level of ``terbit``: help, language switch, exit codes, no tracebacks."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import click
import pytest

from pipeline.cli import COMMANDS, main
from pipeline.errors import ConfigError, InputError


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_help_lists_every_available_command_in_indonesian() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "Penggunaan:" in result.stdout
    available = [n for n in COMMANDS if importlib.util.find_spec(f"pipeline.cli.{COMMANDS[n]}")]
    assert available, "no command module exists"
    assert "Perintah:" in result.stdout
    for name in available:
        assert f"  {name} " in result.stdout


def test_lang_en_switches_help_to_english() -> None:
    result = run("--lang", "en", "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout
    assert "publish information to the website" in result.stdout


def test_env_var_switches_language(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    env = {**os.environ, "TERBIT_LANG": "en"}
    result = run("--help", env=env)
    assert "Usage:" in result.stdout


def test_unknown_command_is_usage_error_in_indonesian() -> None:
    result = run("tidak-ada")
    assert result.returncode == 2
    assert "tidak dikenal" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("error", "code"), [(InputError, 1), (ConfigError, 2)])
def test_user_errors_become_located_message_and_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: type, code: int
) -> None:
    import pipeline.cli as cli

    @click.command()
    def boom() -> None:
        raise error("ada masalah", path="content/a.md", line=7)

    monkeypatch.setattr(cli.LazyGroup, "get_command", lambda self, ctx, name: boom)
    with pytest.raises(SystemExit) as exited:
        main(["boom"])
    assert exited.value.code == code
    assert "content/a.md:7: ada masalah" in capsys.readouterr().err


def test_unexpected_error_has_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import pipeline.cli as cli

    @click.command()
    def boom() -> None:
        raise RuntimeError("rusak")

    monkeypatch.delenv("TERBIT_DEBUG", raising=False)
    monkeypatch.setattr(cli.LazyGroup, "get_command", lambda self, ctx, name: boom)
    with pytest.raises(SystemExit) as exited:
        main(["boom"])
    err = capsys.readouterr().err
    assert exited.value.code == 3
    assert "Traceback" not in err
    assert "TERBIT_DEBUG=1" in err


def test_status_loads_neither_the_publication_nor_its_build_and_deploy() -> None:
    # `terbit status` only reads what the records say; the publication (Pelican, deploy
    # targets) cost about a second of start-up at every call.
    code = (
        "import sys; import pipeline.cli.status; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[:2] in "
        "(['pipeline', 'publication'], ['pipeline', 'deploy'], ['pipeline', 'render']) "
        "or m.split('.')[0] == 'pelican')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []
