"""An office that publishes for real, as ``terbit demo`` runs it: the server's hook builds the
site with Pelican on every merge, deploys it to the local target, checks the live page over
HTTP (served on 127.0.0.1 from the start), screenshots it and commits the completion record.
Everyone has a web account and their signing key stored for the web app.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.cli.demo.office import Office, create_office
from pipeline.config.settings import load_settings
from pipeline.deploy import open_target
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
