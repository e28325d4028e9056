"""The embedded server's Git hooks, an entry point beside the CLI.

``terbit init-server`` writes one script per hook into the server repository (``install``);
each runs this package's module with the Python that created it: ``pre_receive`` checks a push
against the forge's rules, ``post_receive`` records a merge and starts ``publish`` (steps 6-8)
outside the push. Both are thin clients of the check server (``checker``) the publication
service keeps, which runs ``push_check`` and ``merged`` with their code already imported; they
run those themselves when it is not used. Hooks never print tracebacks to the pusher: an
unexpected failure refuses the push (pre-receive) or goes to the server's log (post-receive,
publish).
"""
