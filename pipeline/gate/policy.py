"""Load the SOP and roles the gate obeys, always from the target branch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pipeline.change.model import Change
from pipeline.config.roles import ROLES_FILE, Roles, load_roles
from pipeline.config.settings import SETTINGS_FILE, Settings, parse_settings
from pipeline.config.sop import SOP_FILE, Sop, load_sop
from pipeline.errors import ConfigError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "missing": (
            "{file} tidak ada di cabang tujuan; gerbang tidak dapat menilai perubahan tanpanya",
            "{file} is missing on the target branch; the gate cannot judge a change without it",
        ),
    }
)


def policy_at(read_file: Callable[[str], str | None]) -> tuple[Sop, Roles]:
    """``(sop, roles)`` read through ``read_file`` (bound to the BASE commit, never the head).

    Raises ConfigError (``file:line: message``) when a file is missing or invalid, so a
    broken policy refuses every merge instead of letting one through.
    """
    roles_text = read_file(ROLES_FILE)
    if roles_text is None:
        raise ConfigError(MSG("missing", file=ROLES_FILE), path=ROLES_FILE)
    sop_text = read_file(SOP_FILE)
    if sop_text is None:
        raise ConfigError(MSG("missing", file=SOP_FILE), path=SOP_FILE)
    roles = load_roles(roles_text, ROLES_FILE)
    people = {p.id: p.roles for p in roles.people}
    sop = load_sop(sop_text, SOP_FILE, known_roles=roles.titles, people=people)
    # Working minutes follow the calendar of the same branch (terbit.yml is protected too).
    settings_text = read_file(SETTINGS_FILE)
    settings = Settings() if settings_text is None else parse_settings(settings_text)
    return replace(sop, calendar=settings.calendar.build()), roles


def policy_ref(change: Change) -> str:
    """Where an open change's policy comes from: the target branch as it is NOW (a person
    removed from a role no longer counts), not the base the change was opened against, which a
    forge may report stale. A merged change keeps the policy it was merged under."""
    return change.base if change.state == "open" else change.base_sha
