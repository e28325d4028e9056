"""What a person does from their own clone: submit, review, close, merge, each a signed push
(``actions``); whether an approval will count (``counts``); opening the forge (``session``)."""
