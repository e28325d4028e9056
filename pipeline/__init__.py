"""Terbit: the SOP "Publikasi Informasi Kedalam Situs Website" as a Git pipeline.

The packages follow the SOP's flow:

    draft -> change -> gate -> render -> deploy -> evidence -> record -> report

``config`` holds the typed, validated configuration (settings, SOP, roles); ``forge`` puts the
change/review store behind one interface (embedded Git forge, GitHub); the entry points on top
are ``cli`` (one module per command), ``hooks`` (the embedded server's Git hooks) and
``publication`` (steps 6-8 after a merge); ``vcs`` is the only module that talks to Git. The
allowed import directions: docs/architecture.md, checked by ``lint-imports``.
"""

__version__ = "0.1.0"
