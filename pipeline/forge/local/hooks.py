"""The hook scripts that earlier versions installed run ``python -m pipeline.forge.local.hooks
HOOK``: this runs the hook that lives in ``pipeline.hooks`` now, so a server keeps checking
pushes until its admin reinstalls the scripts (``terbit init-server --hooks-only``).

Named by a string, not imported: the forge never depends on the entry points above it.
"""

from __future__ import annotations

import runpy
import sys

from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "usage": (
            "hook tidak dikenal; pasang ulang hook dengan `terbit init-server --hooks-only PATH` "
            "(modulnya kini di pipeline.hooks)",
            "unknown hook; reinstall the hooks with `terbit init-server --hooks-only PATH` "
            "(they live in pipeline.hooks now)",
        ),
    }
)

MODULES = {
    "pre-receive": "pipeline.hooks.pre_receive",
    "post-receive": "pipeline.hooks.post_receive",
    "publish": "pipeline.hooks.publish",
}

if __name__ == "__main__":
    module = MODULES.get(sys.argv[1] if len(sys.argv) > 1 else "")
    if module is None:
        print(MSG("usage"))
        sys.exit(2)
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
