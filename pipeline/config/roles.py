"""``roles.yml``: the office's people, their NIP, e-mail, accounts, signing keys and roles.

Forges map an account (commit e-mail, GitHub login, SSH key) to a person here; the gate then
asks whether that person currently holds the role a step needs.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator

from pipeline.config import yamlsrc
from pipeline.config.acting import Acting, ActingModel, acting_problem
from pipeline.config.delegation import Absence, AbsenceModel, absence_problem
from pipeline.config.validate import Strict, fail, validate
from pipeline.errors import Problem
from pipeline.i18n import Catalog

ROLES_FILE = "roles.yml"

# Titles of the seed SOP's roles; roles.yml may rename them or add others.
DEFAULT_ROLE_TITLES: dict[str, tuple[str, str]] = {
    "staf": ("Staf Tim Kerja", "Work team staff"),
    "admin_website": ("Admin Website", "Website administrator"),
    "katimker_lpzi": (
        "Katimker Layanan Publik dan Zona Integritas",
        "Team lead, Public Service and Integrity Zone",
    ),
    "kepala_satker": ("Kepala Satker", "Head of office"),
}

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)

ID_RE = r"^[a-z][a-z0-9_-]{0,39}$"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
GITHUB_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")

MSG = Catalog(
    {
        "nip_digits": (
            "NIP harus 18 angka (tanpa spasi), bukan '{nip}'",
            "NIP must be 18 digits (no spaces), not '{nip}'",
        ),
        "nip_birth": (
            "NIP '{nip}': 8 angka pertama harus tanggal lahir TTTTBBHH yang masuk akal",
            "NIP '{nip}': the first 8 digits must be a plausible birth date YYYYMMDD",
        ),
        "nip_appointment": (
            "NIP '{nip}': angka ke-9 s.d. 14 harus TMT pengangkatan TTTTBB setelah umur 17",
            "NIP '{nip}': digits 9-14 must be the appointment month YYYYMM, after age 17",
        ),
        "nip_sex": (
            "NIP '{nip}': angka ke-15 (jenis kelamin) harus 1 atau 2",
            "NIP '{nip}': digit 15 (sex) must be 1 or 2",
        ),
        "nip_seq": (
            "NIP '{nip}': 3 angka terakhir (nomor urut) tidak boleh 000",
            "NIP '{nip}': the last 3 digits (sequence) must not be 000",
        ),
        "email": ("alamat e-mail '{email}' tidak valid", "e-mail address '{email}' is invalid"),
        "github": (
            "login GitHub '{login}' tidak valid",
            "GitHub login '{login}' is invalid",
        ),
        "key_format": (
            "ssh_key harus satu baris kunci publik 'ssh-ed25519 AAAA… komentar'",
            "ssh_key must be one public key line 'ssh-ed25519 AAAA… comment'",
        ),
        "key_type": (
            "jenis kunci '{kind}' tidak didukung; gunakan salah satu: {known}",
            "key type '{kind}' is not supported; use one of: {known}",
        ),
        "key_body": (
            "isi kunci publik rusak (bukan base64 jenis '{kind}')",
            "the public key data is damaged (not base64 of type '{kind}')",
        ),
        "dup": (
            "{what} '{value}' sudah dipakai oleh '{other}' (baris {line})",
            "{what} '{value}' is already used by '{other}' (line {line})",
        ),
        "unknown_role": (
            "peran '{role}' tidak dikenal; peran yang ada: {known}",
            "unknown role '{role}'; known roles: {known}",
        ),
        "no_people": (
            "'people' harus berisi minimal satu orang",
            "'people' needs at least one person",
        ),
    }
)


def nip_problem(nip: str, today: date | None = None) -> str | None:
    """Why ``nip`` is not a plausible NIP (birth date, appointment month, sex, sequence)."""
    if not re.fullmatch(r"\d{18}", nip):
        return MSG("nip_digits", nip=nip)
    today = today or date.today()
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return MSG("nip_birth", nip=nip)
    if born.year < 1940 or born.year > today.year - 17:
        return MSG("nip_birth", nip=nip)
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or year < born.year + 17 or (year, month) > (today.year + 1, 12):
        return MSG("nip_appointment", nip=nip)
    if nip[14] not in "12":
        return MSG("nip_sex", nip=nip)
    if nip[15:] == "000":
        return MSG("nip_seq", nip=nip)
    return None


def key_problem(line: str) -> str | None:
    """Why ``line`` is not an OpenSSH public key line; the type inside the data must match."""
    parts = line.split()
    if len(parts) < 2 or "\n" in line.strip():
        return MSG("key_format")
    kind, body = parts[0], parts[1]
    if kind not in KEY_TYPES:
        return MSG("key_type", kind=kind, known=", ".join(KEY_TYPES))
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return MSG("key_body", kind=kind)
    length = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else -1
    if length != len(kind) or raw[4 : 4 + length] != kind.encode():
        return MSG("key_body", kind=kind)
    return None


def key_identity(line: str) -> str:
    """``type base64`` without the comment, to compare keys."""
    return " ".join(line.split()[:2])


class RoleTitle(Strict):
    title: str = Field(min_length=1)
    title_en: str = ""


class PersonModel(Strict):
    id: str = Field(pattern=ID_RE)
    name: str = Field(min_length=1)
    nip: str
    jabatan: str = ""
    email: str
    github: str | None = None
    ssh_key: str | None = None
    roles: list[str] = Field(min_length=1)
    active: bool = True

    @field_validator("nip", mode="before")
    @classmethod
    def _nip(cls, value: object) -> object:
        if isinstance(value, int):  # unquoted in YAML; keep digits
            value = str(value)
        if isinstance(value, str) and (why := nip_problem(value.strip())):
            raise ValueError(why)
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not EMAIL_RE.match(value):
            raise ValueError(MSG("email", email=value))
        return value

    @field_validator("github")
    @classmethod
    def _github(cls, value: str | None) -> str | None:
        if value and not GITHUB_RE.match(value):
            raise ValueError(MSG("github", login=value))
        return value or None

    @field_validator("ssh_key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value and (why := key_problem(value)):
            raise ValueError(why)
        return value or None


class RolesModel(Strict):
    roles: dict[str, RoleTitle] | None = Field(default=None, min_length=1)
    people: list[PersonModel]
    acting: list[ActingModel] = Field(default_factory=list)  # Plh/Plt assignments
    # Who is away when (cuti, dinas luar): sop.yml's standing delegations apply then.
    absent: list[AbsenceModel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> RolesModel:
        if not self.people:
            raise ValueError(MSG("no_people"))
        return self


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    nip: str
    jabatan: str
    email: str
    github: str | None = None
    ssh_key: str | None = None
    roles: tuple[str, ...] = ()
    active: bool = True
    line: int | None = None

    def has_role(self, role: str) -> bool:
        return self.active and role in self.roles


@dataclass(frozen=True)
class Roles:
    people: list[Person]
    titles: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(DEFAULT_ROLE_TITLES))
    path: str = ROLES_FILE
    acting: tuple[Acting, ...] = ()  # Plh/Plt assignments (time-bounded)
    absent: tuple[Absence, ...] = ()  # declared absences (for sop.yml's delegations)

    def absence(self, person_id: str, day: date) -> Absence | None:
        """The declared absence of ``person_id`` covering ``day`` (None: not recorded absent)."""
        return next((a for a in self.absent if a.person == person_id and a.covers(day)), None)

    def acting_for(self, person_id: str, role: str) -> list[Acting]:
        """Every assignment making ``person_id`` act for ``role`` (any window)."""
        return [a for a in self.acting if a.person == person_id and a.role == role]

    @property
    def by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @property
    def role_titles(self) -> dict[str, str]:
        """Role id -> Indonesian title."""
        return {role: pair[0] for role, pair in self.titles.items()}

    def title(self, role: str, lang: str = "id") -> str:
        pair = self.titles.get(role)
        if not pair:
            return role
        return pair[1] if lang == "en" and pair[1] else pair[0]

    def get(self, person_id: str | None) -> Person | None:
        return self.by_id.get(person_id) if person_id else None

    def by_email(self, email: str | None) -> Person | None:
        wanted = (email or "").strip().lower()
        return next((p for p in self.people if p.email.lower() == wanted), None) if wanted else None

    def by_github(self, login: str | None) -> Person | None:
        wanted = (login or "").strip().lower()
        return (
            next((p for p in self.people if (p.github or "").lower() == wanted), None)
            if (wanted)
            else None
        )

    def by_ssh_key(self, key_line: str | None) -> Person | None:
        """The person whose key matches (type and data; the comment is ignored)."""
        if not key_line or len(key_line.split()) < 2:
            return None
        wanted = key_identity(key_line)
        return next(
            (p for p in self.people if p.ssh_key and key_identity(p.ssh_key) == wanted), None
        )

    def members(self, role: str, *, include_inactive: bool = False) -> list[Person]:
        return [p for p in self.people if role in p.roles and (p.active or include_inactive)]

    def holders(self, role: str, at: datetime, tz: ZoneInfo | None) -> list[Person]:
        """Active members of ``role`` and whoever acts for it (Plh/Plt) on the day of ``at``
        in the office's zone: who is told that something waits for the role."""
        found = {p.id: p for p in self.members(role)}
        for acting in self.acting:
            person = self.get(acting.person)
            if acting.role == role and person is not None and person.active and tz is not None \
                    and acting.covers(at, tz):  # fmt: skip
                found.setdefault(person.id, person)
        return list(found.values())

    def allowed_signers(self, namespace: str) -> str:
        """``ssh-keygen -Y verify`` allowed-signers text; the principal is the person id."""
        return "".join(
            f'{p.id} namespaces="{namespace}" {key_identity(p.ssh_key)}\n'
            for p in self.people
            if p.ssh_key and p.active
        )


def load_roles(text: str, path: str = ROLES_FILE) -> Roles:
    """Parse and validate ``roles.yml``; raise ConfigError with ``path:line`` on any problem."""
    doc = yamlsrc.load(text, path)
    model = validate(RolesModel, doc)
    titles = (
        {k: (v.title, v.title_en) for k, v in model.roles.items()}
        if model.roles is not None
        else dict(DEFAULT_ROLE_TITLES)
    )
    known = ", ".join(sorted(titles))
    problems: list[Problem] = []
    seen: dict[str, dict[str, tuple[str, int]]] = {"id": {}, "email": {}, "github": {}, "ssh": {}}
    for index, person in enumerate(model.people):
        for i, role in enumerate(person.roles):
            if role not in titles:
                where = doc.line_of(("people", index, "roles", i))
                problems.append(Problem(path, where, MSG("unknown_role", role=role, known=known)))
        values = {
            "id": ("id", person.id),
            "email": ("email", person.email.lower()),
            "github": ("github", (person.github or "").lower()),
            "ssh": ("ssh_key", key_identity(person.ssh_key) if person.ssh_key else ""),
        }
        for kind, (key, value) in values.items():
            if not value:
                continue
            line = doc.line_of(("people", index, key)) or 0
            if value in seen[kind]:
                other, other_line = seen[kind][value]
                shown = value if kind != "ssh" else value[:40] + "…"
                problems.append(
                    Problem(
                        path,
                        line,
                        MSG("dup", what=key, value=shown, other=other, line=other_line),
                    )
                )
            else:
                seen[kind][value] = (person.id, line)
    people_ids = {p.id for p in model.people}
    roles_of = {p.id: set(p.roles) for p in model.people}
    for index, entry in enumerate(model.acting):
        if entry.role not in titles:
            where = doc.line_of(("acting", index, "role"))
            problems.append(Problem(path, where, MSG("unknown_role", role=entry.role, known=known)))
        elif why := acting_problem(entry, people_ids, roles_of):
            problems.append(Problem(path, doc.line_of(("acting", index, "person")), why))
    for index, away in enumerate(model.absent):
        if why := absence_problem(away, people_ids):
            problems.append(Problem(path, doc.line_of(("absent", index, "person")), why))
    fail(problems)
    absent = tuple(Absence(a.person, a.start, a.to, a.reason) for a in model.absent)
    acting = tuple(
        Acting(person=a.person, role=a.role, kind=a.kind, start=a.start, to=a.to, nomor=a.nomor)
        for a in model.acting
    )
    people = [
        Person(
            id=p.id,
            name=p.name,
            nip=str(p.nip).strip(),
            jabatan=p.jabatan,
            email=p.email,
            github=p.github,
            ssh_key=p.ssh_key.strip() if p.ssh_key else None,
            roles=tuple(p.roles),
            active=p.active,
            line=doc.line_of(("people", i)),
        )
        for i, p in enumerate(model.people)
    ]
    return Roles(people=people, titles=titles, path=path, acting=acting, absent=absent)
