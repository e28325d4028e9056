"""Run one command and print its wall time and peak memory as JSON (``python -m``).

Peak memory is the largest resident set of the command and every process it waited for
(``RUSAGE_CHILDREN`` of this fresh process), so a build's worker process counts too.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    command = sys.argv[1:]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
    print(
        json.dumps({"seconds": seconds, "peak_kb": peak_kb, "code": done.returncode, "tail": tail})
    )


if __name__ == "__main__":
    main()
