"""``terbit``: one module per command, loaded lazily; one place turns errors into messages."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import sys
import traceback

import click

from pipeline import __version__
from pipeline.cli import clicktext
from pipeline.errors import EXIT_USAGE, TerbitError
from pipeline.i18n import Catalog, get_lang, set_lang

# Command name -> module under pipeline.cli. Each module defines ``command``.
COMMANDS: dict[str, str] = {
    "demo": "demo.command",
    "check": "check",
    "build": "build",
    "serve": "serve",
    "init-server": "init_server",
    "new": "new",
    "submit": "submit",
    "review": "review",
    "gate": "gate",
    "status": "status",
    "changes": "changes",
    "merge": "merge",
    "check-pages": "check_pages",
    "close": "close",
    "data-dukung": "data_dukung",
    "withdraw": "withdraw",
    "publish": "publish",
    "schedule": "schedule",
    "build-server": "build_server",
    "rollback": "rollback",
    "remind": "remind",
    "verify": "verify",
    "report": "report",
    "github": "github",
    "web": "web",
}

MSG = Catalog(
    {
        "group_help": (
            "Terbit: publikasi informasi ke situs web menurut SOP, lewat Git.",
            "Terbit: publish information to the website by the SOP, through Git.",
        ),
        "lang_help": (
            "Bahasa pesan: id (bawaan) atau en. Juga TERBIT_LANG.",
            "Message language: id (default) or en. Also TERBIT_LANG.",
        ),
        "internal": (
            "Terjadi kesalahan internal: {error}. Ini bukan kesalahan Anda; jalankan lagi dengan "
            "TERBIT_DEBUG=1 dan laporkan keluarannya ke admin.",
            "Internal error: {error}. This is not your fault; run again with TERBIT_DEBUG=1 and "
            "report the output to the admin.",
        ),
        "interrupted": ("Dibatalkan.", "Interrupted."),
        "options_metavar": ("[OPSI]", "[OPTIONS]"),
        "subcommand_metavar": ("PERINTAH [ARG]...", "COMMAND [ARGS]..."),
    }
)


def _available(name: str) -> bool:
    return importlib.util.find_spec(f"pipeline.cli.{COMMANDS[name]}") is not None


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (fast start-up, small --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if _available(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _available(cmd_name):
            return None
        module = importlib.import_module(f"pipeline.cli.{COMMANDS[cmd_name]}")
        command: click.Command = module.command
        return command


def _lang_from_argv(argv: list[str]) -> str | None:
    """Read --lang before click builds help texts, so --help speaks the chosen language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _build_group() -> click.Group:
    @click.group(
        cls=LazyGroup,
        help=MSG("group_help"),
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        options_metavar=MSG("options_metavar"),
        subcommand_metavar=MSG("subcommand_metavar"),
    )
    @click.option(
        "--lang",
        type=click.Choice(["id", "en"]),
        default=None,
        help=MSG("lang_help"),
        is_eager=True,
        expose_value=False,
        callback=lambda ctx, param, value: set_lang(value),
    )
    @click.version_option(__version__, prog_name="terbit")
    def cli() -> None:
        pass

    return cli


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    set_lang(_lang_from_argv(args))
    clicktext.install()
    group = _build_group()
    try:
        group.main(args=args, prog_name="terbit", standalone_mode=False)
    except TerbitError as error:
        click.echo(str(error), err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo(MSG("interrupted"), err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except KeyboardInterrupt:
        click.echo(MSG("interrupted"), err=True)
        sys.exit(130)
    except Exception as error:
        if os.environ.get("TERBIT_DEBUG"):
            traceback.print_exc()
        click.echo(MSG("internal", error=f"{type(error).__name__}: {error}"), err=True)
        sys.exit(3)
    sys.exit(0)


def run() -> None:
    """The ``terbit`` program: ``main``, then an exit that does not walk every object left
    (Pelican, Jinja, pydantic …) looking for cycles to free: a tenth of a second per command."""
    try:
        main()
    finally:
        gc.freeze()


__all__ = ["COMMANDS", "EXIT_USAGE", "get_lang", "main", "run"]
