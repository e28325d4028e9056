"""``terbit web``: the office web application over the embedded forge's server repository,
and its accounts (``terbit web user add|reset PERSON``)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import click

from pipeline.cli.options import lang_option, options_metavar
from pipeline.errors import ConfigError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "help": (
            "Aplikasi web kantor (baca perubahan, langkah SOP, catatan, laporan) di atas "
            "repositori server forge bawaan. Bawaan 127.0.0.1:8080.",
            "The office web application (changes, SOP steps, records, report) over the "
            "embedded forge's server repository. Default 127.0.0.1:8080.",
        ),
        "server": (
            "Repositori server (buatan `terbit init-server`); bawaan: folder ini.",
            "The server repository (made by `terbit init-server`); default: this folder.",
        ),
        "host": ("Alamat yang didengarkan.", "Address to listen on."),
        "port": ("Nomor port (0 = pilih yang bebas).", "Port number (0 = any free port)."),
        "port_busy": (
            "{host}:{port} tidak dapat dipakai: {error}",
            "cannot listen on {host}:{port}: {error}",
        ),
        "serving": (
            "Aplikasi web tersedia di {url} (Ctrl-C untuk berhenti)",
            "Web application at {url} (Ctrl-C stops)",
        ),
        "insecure": (
            "PERINGATAN: {host} bukan loopback; cookie hanya dikirim lewat HTTPS. Pasang "
            "proksi HTTPS (mis. nginx/caddy) di depannya (docs/web.md).",
            "WARNING: {host} is not loopback; cookies are sent over HTTPS only. Put an HTTPS "
            "proxy (e.g. nginx/caddy) in front of it (docs/web.md).",
        ),
        "user_help": ("Akun aplikasi web.", "Web application accounts."),
        "add_help": (
            "Buat akun untuk PERSON (id di roles.yml); kata sandi ditanyakan.",
            "Create the account of PERSON (an id of roles.yml); asks for the password.",
        ),
        "reset_help": (
            "Atur ulang kata sandi PERSON (sesi lamanya berakhir).",
            "Reset PERSON's password (their old sessions end).",
        ),
        "stdin": (
            "Baca kata sandi dari stdin (untuk skrip).",
            "Read the password from standard input (for scripts).",
        ),
        "prompt": ("Kata sandi untuk {id}", "Password for {id}"),
        "done_add": ("Akun {id} dibuat.", "Account {id} created."),
        "done_reset": ("Kata sandi {id} diatur ulang.", "Password of {id} reset."),
    }
)

server_option = click.option(
    "--server",
    type=click.Path(path_type=Path, file_okay=False),
    default=".",
    show_default=True,
    help=MSG("server"),
)


@click.group(invoke_without_command=True, help=MSG("help"), options_metavar=options_metavar())
@server_option
@lang_option
@click.option("--host", default="127.0.0.1", show_default=True, help=MSG("host"))
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help=MSG("port"))  # fmt: skip
@click.pass_context
def command(ctx: click.Context, server: Path, host: str, port: int) -> None:
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from pipeline.web.app import create_app, is_loopback

    loopback = is_loopback(host)
    app = create_app(server, secure_cookies=not loopback)
    sock = listen(host, port)
    url = f"http://{host}:{sock.getsockname()[1]}/"
    if not loopback:
        click.secho(MSG("insecure", host=host), err=True, fg="yellow")
    click.echo(MSG("serving", url=url))
    config = uvicorn.Config(app, log_level="warning", proxy_headers=False, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so a busy port is a clear message, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ConfigError(MSG("port_busy", host=host, port=port, error=error.strerror)) from None
    sock.listen(128)
    return sock


@command.group(help=MSG("user_help"))
def user() -> None:
    pass


def _set(server: Path, person_id: str, from_stdin: bool, *, new: bool) -> None:
    from pipeline.web.accounts import Users
    from pipeline.web.office import Office

    if Office(server.resolve()).person(person_id) is None:
        from pipeline.web.accounts import MSG as ACCOUNT_MSG

        raise ConfigError(ACCOUNT_MSG("unknown", id=person_id))
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt(MSG("prompt", id=person_id), hide_input=True,
                                confirmation_prompt=True)  # fmt: skip
    Users(server.resolve()).set_password(person_id, password, new=new)
    click.echo(MSG("done_add" if new else "done_reset", id=person_id))


@user.command(help=MSG("add_help"), options_metavar=options_metavar())
@click.argument("person")
@server_option
@lang_option
@click.option("--password-stdin", is_flag=True, help=MSG("stdin"))
def add(person: str, server: Path, password_stdin: bool) -> None:
    _set(server, person, password_stdin, new=True)


@user.command(help=MSG("reset_help"), options_metavar=options_metavar())
@click.argument("person")
@server_option
@lang_option
@click.option("--password-stdin", is_flag=True, help=MSG("stdin"))
def reset(person: str, server: Path, password_stdin: bool) -> None:
    _set(server, person, password_stdin, new=False)
