"""Steps 6-8 of the SOP after a merge, an entry point beside the CLI and the hooks.

Split by job: ``state`` (the resumable, versioned state file of one publication and its result),
``lock`` (one publication at a time), ``stages`` (prepare, build, deploy: the stages this package
runs itself), ``run`` (the orchestration: every stage in order, resumable, and what the server
does after main moved), ``server_key`` (the server's own key that signs record commits).
"""
