"""Click options more than one command offers, written once."""

from __future__ import annotations

import click

from pipeline.i18n import Catalog, set_lang

MSG = Catalog(
    {
        "lang_help": ("Bahasa pesan: id atau en.", "Message language: id or en."),
        "options_metavar": ("[OPSI]", "[OPTIONS]"),
    }
)


def options_metavar() -> str:
    """``[OPSI]`` in usage lines (click's own ``[OPTIONS]`` is not looked up for translation)."""
    return MSG("options_metavar")


# Also after the command name (``terbit check --lang en``): eager, so it is set before any
# other option's value or message is produced.
lang_option = click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default=None,
    expose_value=False,
    is_eager=True,
    help=MSG("lang_help"),
    callback=lambda ctx, param, value: set_lang(value),
)
