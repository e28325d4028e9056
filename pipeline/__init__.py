"""Terbit: the SOP "Publikasi Informasi Kedalam Situs Website" as a Git pipeline.

The packages follow the SOP's flow:

    draft -> change -> gate -> build -> deploy -> evidence -> record -> report

``config`` holds the typed, validated configuration (settings, SOP, roles); ``forge`` puts the
change/review store behind one interface (embedded Git forge, GitHub); ``cli`` has one module per
command; ``vcs`` is the only module that talks to Git.
"""

__version__ = "0.1.0"
