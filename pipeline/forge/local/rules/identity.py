"""Who may do each step on the embedded forge: the person a record names, in the role the SOP names.

The server's ``pre-receive`` asks these questions for every push; ``terbit merge`` asks the
same one before it pushes, so the admin hears the reason at once. Each answer is ``None`` (allowed)
or the reason, in the user's language. The policy (``sop.yml``, ``roles.yml``) is always that of
the target branch.
"""

from __future__ import annotations

from pipeline.change.model import Change
from pipeline.config.roles import Roles
from pipeline.config.sop import Sop, Step
from pipeline.gate.context import authors_of
from pipeline.gate.rules import withdrawal_rule
from pipeline.i18n import Catalog, get_lang

MSG = Catalog(
    {
        "unsigned": (
            "catatan '{type}' tidak ditandatangani oleh {who}, orang yang disebut catatan itu; "
            "setiap catatan harus ditandatangani pelakunya sendiri dengan kunci SSH-nya "
            "di roles.yml (perintah terbit melakukannya)",
            "the '{type}' record is not signed by {who}, the person it names; every "
            "record must be signed by its own person with their SSH key in roles.yml (the terbit "
            "commands do this)",
        ),
        "opener": (
            "hanya {role} yang boleh mengajukan perubahan (langkah {step}); {who} bukan anggota "
            "aktif peran itu",
            "only {role} may open a change (step {step}); {who} is not an active member of that "
            "role",
        ),
        "withdraw_opener": (
            "hanya {roles} yang boleh mengajukan penarikan artikel (perubahan yang hanya berisi "
            "{file}); {who} bukan anggota aktif peran itu",
            "only {roles} may open an article withdrawal (a change holding only {file}); {who} "
            "is not an active member of those roles",
        ),
        "merger": (
            "penggabungan (langkah {step}) hanya oleh {role} yang bukan penulis perubahan ini; "
            "{who} {why}",
            "the merge (step {step}) is only for {role} who did not write this change; {who} {why}",
        ),
        "merger_author": ("ikut menulis perubahan ini", "wrote part of this change"),
        "merger_role": (
            "bukan anggota aktif peran itu",
            "is not an active member of that role",
        ),
        "merger_unknown": (
            "(penanda tangan commit merge tidak dikenal)",
            "(the merge commit's signer is unknown)",
        ),
        "records": (
            "perubahan tidak boleh menyentuh {folder}/ ({files}): catatan penyelesaian hanya "
            "ditulis oleh publikasi itu sendiri (commit server). Hapus berkas itu dari cabang "
            "Anda lalu kirim lagi",
            "a change must not touch {folder}/ ({files}): completion records are written only by "
            "the publication itself (the server's commit). Remove those files from your branch "
            "and send it again",
        ),
    }
)


def step_of(sop: Sop, *proofs: str) -> Step | None:
    """The first SOP step proven by one of ``proofs`` (in that order of preference)."""
    for proof in proofs:
        found = next((s for s in sop.steps if s.proof == proof), None)
        if found is not None:
            return found
    return None


def unsigned(kind: str, who: str) -> str:
    return MSG("unsigned", type=kind, who=who)


def opener_problem(
    sop: Sop, roles: Roles, who: str, files: list[str] | None = None, content: str = "content"
) -> str | None:
    """Why ``who`` may not open a change: only active members of the step-2 role may; a
    withdrawal (``files`` only the withdrawals list) only those of sop.yml's ``withdrawal.open``."""
    rule = withdrawal_rule(sop, files or [], content)
    if rule is not None:
        allowed = {p.id for role in rule.open for p in roles.members(role)}
        if who in allowed:
            return None
        titles = ", ".join(roles.title(r, get_lang()) for r in rule.open)
        return MSG("withdraw_opener", roles=titles, who=who, file=(files or ["-"])[0])
    step = step_of(sop, "change_opened")
    if step is None or who in {p.id for p in roles.members(step.role)}:
        return None
    return MSG("opener", role=roles.title(step.role, get_lang()), step=step.number, who=who)


def merger_problem(sop: Sop, roles: Roles, change: Change, who: str | None) -> str | None:
    """Why ``who`` may not merge ``change``: the merge is step 6's, by an active member of its
    role (the one who uploads) who wrote no part of the change."""
    step = step_of(sop, "merge", "deploy")
    if step is None:
        return None
    role = roles.title(step.role, get_lang())
    if who is None:
        return MSG("merger", step=step.number, role=role, who="?", why=MSG("merger_unknown"))
    if who not in {p.id for p in roles.members(step.role)}:
        return MSG("merger", step=step.number, role=role, who=who, why=MSG("merger_role"))
    if who in authors_of(change, roles):
        return MSG("merger", step=step.number, role=role, who=who, why=MSG("merger_author"))
    return None


def records_problem(files: list[str], folder: str) -> str | None:
    """Why a change may not carry ``files``: the records folder belongs to the publication."""
    prefix = folder.strip("/") + "/"
    touched = [f for f in files if f.startswith(prefix)]
    if not touched:
        return None
    shown = ", ".join(touched[:3]) + (" …" if len(touched) > 3 else "")
    return MSG("records", folder=folder.strip("/"), files=shown)
