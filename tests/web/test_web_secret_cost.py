"""The web app's secrets in the suite: the tests' own process hashes passwords at argon2's
cheapest cost (argon2-cffi's profile for tests) and keeps signing keys under one bcrypt round
(tests/conftest.py). At the library's costs each password hash or check is 0.2 s on a quiet
machine and 0.6 s under the suite's load, and each key stored or unlocked about 0.3 s and 1 s;
the web tests sign in and sign hundreds of times. The same code runs and checks the same
things (a wrong password or passphrase is refused); the app in a process of its own keeps the
library's costs, and reads what the tests stored (a hash and a key file carry their cost).
"""

from __future__ import annotations

import base64
import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import extract_parameters, profiles

from pipeline.errors import CredentialError
from pipeline.web.accounts import Users, web_dir
from pipeline.web.keys import key_path, store_key, unlocked
from tests.support.web import PASSWORD

pytestmark = pytest.mark.xdist_group("web-secret-cost")

PASSPHRASE = "frasa-sandi-kunci-42"
OWN_PROCESS = (
    "import sys; from pathlib import Path; from pipeline.web.accounts import Users; "
    "from pipeline.web.keys import store_key; server = Path(sys.argv[1]); "
    "Users(server).set_password('rina', sys.argv[2], new=True); "
    "store_key(server, 'rina', sys.argv[3])"
)


def _cost(server: Path, person: str) -> tuple[int, int, int]:
    stored = json.loads((web_dir(server) / "users.json").read_text(encoding="utf-8"))
    found = extract_parameters(stored[person]["hash"])
    return found.time_cost, found.memory_cost, found.parallelism


def _rounds(server: Path, person: str) -> int:
    """The bcrypt rounds of an OpenSSH private key file (its kdfoptions: salt, then rounds)."""
    lines = key_path(server, person).read_text(encoding="ascii").splitlines()
    data = base64.b64decode("".join(lines[1:-1]))
    at = len(b"openssh-key-v1\0")
    fields = []
    for _ in range(3):  # cipher name, kdf name, kdf options
        (size,) = struct.unpack(">I", data[at : at + 4])
        fields.append(data[at + 4 : at + 4 + size])
        at += 4 + size
    assert fields[1] == b"bcrypt", fields
    (salt,) = struct.unpack(">I", fields[2][:4])
    return int(struct.unpack(">I", fields[2][4 + salt : 8 + salt])[0])


def test_the_suite_keeps_secrets_at_the_cheapest_cost_and_still_checks_them(
    tmp_path: Path,
) -> None:
    users = Users(tmp_path)
    users.set_password("rina", PASSWORD, new=True)
    cheapest = profiles.CHEAPEST
    assert _cost(tmp_path, "rina") == (
        cheapest.time_cost,
        cheapest.memory_cost,
        cheapest.parallelism,
    )
    assert users.check("rina", PASSWORD)
    assert not users.check("rina", PASSWORD + "x") and not users.check("budi", PASSWORD)
    store_key(tmp_path, "rina", PASSPHRASE)
    assert _rounds(tmp_path, "rina") == 1
    with unlocked(tmp_path, "rina", PASSPHRASE) as plain:
        assert b"OPENSSH PRIVATE KEY" in plain.read_bytes()
    with pytest.raises(CredentialError), unlocked(tmp_path, "rina", PASSPHRASE + "x"):
        pass


def test_the_app_in_its_own_process_keeps_the_librarys_costs(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", OWN_PROCESS, str(tmp_path), PASSWORD, PASSPHRASE],
                   check=True)  # fmt: skip
    default = profiles.get_default_parameters()
    assert _cost(tmp_path, "rina") == (default.time_cost, default.memory_cost, default.parallelism)
    assert _rounds(tmp_path, "rina") == 16  # cryptography's BestAvailableEncryption
    assert Users(tmp_path).check("rina", PASSWORD)  # what each process stored, the other reads
    with unlocked(tmp_path, "rina", PASSPHRASE) as plain:
        assert plain.is_file()
