"""The embedded forge's event store: a change's records as a signed chain of commits in Git refs
(``events``, ``metachain``, ``signing``), read as changes by ``forge.LocalForge``, and the
server's push lock (``pushlock``)."""
