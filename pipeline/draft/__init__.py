"""Step 1 of the SOP: the draft, a Markdown file with YAML front matter, and its checks."""
