"""Typed configuration: site settings (``terbit.yml``), the SOP (``sop.yml``), the people
(``roles.yml``). Every file is validated with ``path:line: message`` errors."""
