"""An office that publishes for real, as ``terbit demo`` runs it: the server's hook builds the
site with Pelican on every merge, deploys it to the local target, checks the live page over
HTTP (served on 127.0.0.1 from the start), screenshots it and commits the completion record.
Everyone has a web account and their signing key stored for the web app.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.cli.demo.office import Office, create_office
from pipeline.config.settings import load_settings
from pipeline.deploy import open_target
from pipeline.hooks.install import copy_site
from pipeline.render.serve import serve_in_background
from pipeline.web.accounts import Users
from pipeline.web.keys import store_key
from tests.support.web import PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "frasa-sandi-kunci-42"


@contextmanager
def published_office(root: Path) -> Iterator[Office]:
    """The demo office under ``root`` with ``TERBIT_PUBLISH=sync`` until the end."""
    saved = os.environ.get("TERBIT_PUBLISH")
    os.environ["TERBIT_PUBLISH"] = "sync"  # the merge's push returns once published
    server = root / "server.git"
    target = open_target(server, load_settings(REPO_ROOT))
    live = getattr(target, "live_dir", server / "terbit" / "site")
    url, stop = serve_in_background(live, 0)
    try:
        office = create_office(root, REPO_ROOT, seed_message="Isi awal situs", site_url=url)
        users = Users(office.server)
        for person in office.people:
            users.set_password(person, PASSWORD, new=True)
            private = office.key_path(person).read_bytes()
            store_key(office.server, person, PASSPHRASE, private=private, replace=True)
        yield office
    finally:
        stop()
        if saved is None:
            os.environ.pop("TERBIT_PUBLISH", None)
        else:
            os.environ["TERBIT_PUBLISH"] = saved


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def local_office(
    root: Path, passphrase: str, settings: dict[str, Any] | None = None
) -> Iterator[Office]:
    """An office under ``root`` whose publications deploy to a local folder served over HTTP on
    127.0.0.1 (the live check reads it), seeded without publishing; everyone has a web account
    and their signing key stored under ``passphrase``. ``settings``: more terbit.yml sections."""
    source = root / "source"
    source.mkdir()
    copy_site(REPO_ROOT, source)
    www = root / "www"
    www.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=www))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    conf = yaml.safe_load((source / "terbit.yml").read_text(encoding="utf-8")) or {}
    conf.setdefault("publish", {}).update({
        "live_url": f"http://127.0.0.1:{httpd.server_port}/current",
        "verify_attempts": 4, "verify_backoff_s": 0.2,
    })  # fmt: skip
    conf.setdefault("deploy", {})["target"] = "local"
    conf["deploy"]["local"] = {"path": str(www), "keep": 3}
    conf.update(settings or {})
    (source / "terbit.yml").write_text(yaml.safe_dump(conf, allow_unicode=True), "utf-8")
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("TERBIT_PUBLISH", "off")  # the seed; the merges publish for real
            office = create_office(root / "kantor", source, seed_message="Situs awal")
        users = Users(office.server)
        for person in office.people:
            users.set_password(person, PASSWORD, new=True)
            store_key(office.server, person, passphrase,
                      private=office.key_path(person).read_bytes())  # fmt: skip
        yield office
    finally:
        httpd.shutdown()
        httpd.server_close()
