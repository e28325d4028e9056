"""The embedded offline forge: changes and signed reviews stored in Git, enforced by hooks.

Split by job, each part importing only those below it: ``store`` (the events of a change as a
signed, append-only chain of commits, and ``LocalForge`` that reads them), ``rules`` (what the
server's ``pre-receive`` accepts, and the gate with the target branch's policy), ``client`` (what
a person does from a clone: submit, review, close, merge).
"""
