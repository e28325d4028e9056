"""What the embedded server accepts: the rules for each ref a push touches (``receive``, and
``meta_rules`` for a change's records), who may do each step (``identity``) and the gate with the
target branch's policy (``policy``)."""
