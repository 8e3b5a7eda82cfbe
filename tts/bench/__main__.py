"""``python -m tts.bench --worker KIND REQUEST``: a bench measurement in a fresh process."""

import sys

from tts.bench.workers import worker_main

if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
    sys.exit(worker_main(sys.argv[2:]))
print("run the bench with `tts bench`", file=sys.stderr)
sys.exit(2)
