"""``terbit web``: the office web application over the embedded forge's server repository,
and its accounts (``terbit web user add|reset PERSON``)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import click
import uvicorn

from pipeline.cli.options import lang_option, options_metavar
from pipeline.errors import ConfigError
from pipeline.i18n import Catalog
from pipeline.web.accounts import MSG as ACCOUNT_MSG
from pipeline.web.accounts import Users
from pipeline.web.app import create_app, is_loopback
from pipeline.web.keys import store_key
from pipeline.web.office import Office

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
        "key_help": (
            "Kunci tanda tangan SSH per orang, disimpan terenkripsi dengan frasa sandinya.",
            "Each person's SSH signing key, stored encrypted with their passphrase.",
        ),
        "key_new_help": (
            "Buat kunci ed25519 baru untuk PERSON, terenkripsi dengan frasa sandinya; cetak "
            "kunci publik untuk ssh_key di roles.yml.",
            "Create a new ed25519 key for PERSON, encrypted with their passphrase; print the "
            "public key for ssh_key in roles.yml.",
        ),
        "key_import_help": (
            "Simpan kunci privat PERSON yang sudah ada (--key BERKAS) terenkripsi dengan frasa "
            "sandinya.",
            "Store PERSON's existing private key (--key FILE) encrypted with their passphrase.",
        ),
        "key_file": ("Berkas kunci privat SSH.", "SSH private key file."),
        "replace": ("Ganti kunci yang sudah ada.", "Replace an existing key."),
        "pass_stdin": (
            "Baca frasa sandi dari stdin (untuk skrip).",
            "Read the passphrase from standard input (for scripts).",
        ),
        "pass_prompt": ("Frasa sandi kunci {id}", "Key passphrase for {id}"),
        "key_done": (
            "Kunci {id} disimpan terenkripsi. Kunci publiknya (ssh_key di roles.yml, lewat "
            "perubahan yang disetujui Kepala Satker):\n{public}",
            "Key of {id} stored encrypted. Its public key (ssh_key in roles.yml, through a "
            "change the head approves):\n{public}",
        ),
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
    if Office(server.resolve()).person(person_id) is None:
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


@command.group(help=MSG("key_help"))
def key() -> None:
    pass


def _store(server: Path, person_id: str, from_stdin: bool, private: Path | None,
           replace: bool) -> None:  # fmt: skip
    if Office(server.resolve()).person(person_id) is None:
        raise ConfigError(ACCOUNT_MSG("unknown", id=person_id))
    if from_stdin:
        passphrase = sys.stdin.readline().rstrip("\n")
    else:
        passphrase = click.prompt(MSG("pass_prompt", id=person_id), hide_input=True,
                                  confirmation_prompt=True)  # fmt: skip
    data = private.read_bytes() if private is not None else None
    public = store_key(server.resolve(), person_id, passphrase, private=data, replace=replace)
    click.echo(MSG("key_done", id=person_id, public=public))


@key.command(name="new", help=MSG("key_new_help"), options_metavar=options_metavar())
@click.argument("person")
@server_option
@lang_option
@click.option("--replace", is_flag=True, help=MSG("replace"))
@click.option("--passphrase-stdin", is_flag=True, help=MSG("pass_stdin"))
def key_new(person: str, server: Path, replace: bool, passphrase_stdin: bool) -> None:
    _store(server, person, passphrase_stdin, None, replace)


@key.command(name="import", help=MSG("key_import_help"), options_metavar=options_metavar())
@click.argument("person")
@click.option(
    "--key",
    "private",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help=MSG("key_file"),
)
@server_option
@lang_option
@click.option("--replace", is_flag=True, help=MSG("replace"))
@click.option("--passphrase-stdin", is_flag=True, help=MSG("pass_stdin"))
def key_import(person: str, private: Path, server: Path, replace: bool,
               passphrase_stdin: bool) -> None:  # fmt: skip
    _store(server, person, passphrase_stdin, private, replace)
