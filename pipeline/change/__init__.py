"""Step 2 of the SOP: a change (pull request) carrying the nota dinas, and its reviews."""
