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
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = usage.ru_maxrss
    cpu = usage.ru_utime + usage.ru_stime  # robust to a busy machine, unlike wall time
    tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
    result = {"seconds": seconds, "cpu_s": cpu, "peak_kb": peak_kb, "code": done.returncode}
    print(json.dumps({**result, "tail": tail}))


if __name__ == "__main__":
    main()
