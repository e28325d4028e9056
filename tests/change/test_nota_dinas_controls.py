"""Nota dinas fields refuse control characters (issue 10): they would reach the record, the
notice e-mail and the gate's report."""

from __future__ import annotations

import pytest
from test_nota_dinas import FRONT

from pipeline.change.nota_dinas import parse_nota_dinas
from pipeline.errors import InputError


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("hal: Permohonan", 'hal: "Permohonan\\u0007', 5),
        ("dari: Tim Kerja", 'dari: "Tim\\x1b[2J Kerja', 4),
        ("  - Foto kegiatan", '  - "Foto\\u0008 kegiatan"', 10),
    ],
)
def test_control_characters_in_fields_are_refused(old: str, new: str, line: int) -> None:
    text = FRONT.replace(old, new)
    if new.count('"') == 1:  # close the quoted scalar at the end of its line
        text = "\n".join(x + '"' if x.startswith(new) else x for x in text.split("\n"))
    with pytest.raises(InputError) as bad:
        parse_nota_dinas(text)
    assert bad.value.line == line
    assert "karakter kendali" in bad.value.message


def test_control_character_in_the_body_is_refused() -> None:
    with pytest.raises(InputError) as bad:
        parse_nota_dinas(FRONT.replace("Terima kasih.", "Terima\x0c kasih."))
    assert bad.value.line == 16 and "karakter kendali U+000C" in bad.value.message
