"""A web page's screenshot drawn with Pillow: a header bar, lines of text, a picture."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def page_png(width: int = 1366, height: int = 1400) -> bytes:
    """A PNG shaped like a full-page capture of an article (text on white, a few colours)."""
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, width, 90), fill=(12, 84, 96))
    for row in range((height - 140) // 21):
        draw.text((20 + (row % 3) * 7, 120 + row * 21), f"Baris {row}: Pemeriksaan kesehatan "
                  "jemaah haji di Bandara Kualanamu, vaksinasi meningitis dan ICV.",
                  fill=(30, 30, 30))  # fmt: skip
    draw.ellipse((width * 2 // 3, 300, width * 2 // 3 + 200, 500), fill=(200, 120, 40))
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue()
