"""The report's charts as SVG, drawn with pygal (a maintained SVG plotting library)."""

from __future__ import annotations

import re

import pygal
from pygal.style import Style

from pipeline.compliance.figures import Figures
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "steps_title": (
            "Median menit kerja per langkah dibanding mutu baku",
            "Median working minutes per step against the standard",
        ),
        "median": ("Median", "Median"),
        "p90": ("Persentil 90", "90th percentile"),
        "standard": ("Mutu baku", "Standard"),
        "trend_title": (
            "Tren bulanan: publikasi dan % langkah sesuai mutu baku",
            "Monthly trend: publications and % of steps within the standard",
        ),
        "publications": ("Publikasi", "Publications"),
        "share": ("% sesuai mutu baku", "% within standard"),
        "step": ("Langkah {n}", "Step {n}"),
    }
)

# Print-friendly: black text, the office's muted colours, no JavaScript (the PDF is static).
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222222",
    foreground_strong="#000000",
    foreground_subtle="#666666",
    colors=("#1f4e79", "#9dc3e6", "#c00000", "#548235"),
    font_family="DejaVu Sans, sans-serif",
)


def _config() -> dict[str, object]:
    return {
        "style": STYLE,
        "width": 760,
        "height": 360,
        "js": [],  # no scripts in an official document
        "disable_xml_declaration": True,
        "legend_at_bottom": True,
        "print_values": False,
        "show_y_guides": True,
    }


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _static(svg: str) -> str:
    """pygal writes its config as an inline script even without its JS: an official document
    (and a PDF) carries no scripts."""
    return _SCRIPT.sub("", svg)


def steps_chart(figures: Figures) -> str:
    """Per-step bars (median, p90) with the standard as a third bar."""
    chart = pygal.Bar(title=MSG("steps_title"), **_config())
    chart.x_labels = [MSG("step", n=s.key) for s in figures.steps]
    chart.add(MSG("median"), [s.median for s in figures.steps])
    chart.add(MSG("p90"), [s.p90 for s in figures.steps])
    chart.add(MSG("standard"), [s.standard for s in figures.steps])
    return _static(str(chart.render(is_unicode=True)))


def trend_chart(figures: Figures) -> str:
    """Publications per month and the share within the standard (right axis, 0–100 %)."""
    chart = pygal.Line(title=MSG("trend_title"), secondary_range=(0, 100), **_config())
    chart.x_labels = [month for month, _n, _s in figures.trend]
    chart.add(MSG("publications"), [n for _m, n, _s in figures.trend])
    chart.add(MSG("share"), [s for _m, _n, s in figures.trend], secondary=True)
    return _static(str(chart.render(is_unicode=True)))
