"""The control characters no published text may hold: one definition for the draft checks, the
nota dinas and the build, so none of them accepts what another refuses."""

from __future__ import annotations

import re

# Text with lines (a draft's body, the nota dinas): every C0 control but tab, LF and CR (XML,
# so the feeds, cannot hold them), DEL and the C1 controls (U+0085 from a pasted PDF).
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A one-line field (a title, a nomor): no control character at all.
FIELD_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
