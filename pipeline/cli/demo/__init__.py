"""``terbit demo`` and what it runs: a demo office on one machine (``office``), the story of one
article through every SOP step (``story``) and the command itself (``command``)."""
