"""Step 6's proof: the page is live, and screenshots of it."""
