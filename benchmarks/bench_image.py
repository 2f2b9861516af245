"""Images through the converters, zero-copy against copying, both ways (part of ``benchmarks.run``).

Kept as a short name for::

    python -m benchmarks.run --kinds image --sizes image=16,512 --no-storage --no-startup --no-memory

Run from the project root: ``python -m benchmarks.bench_image [16 512]`` (voxels along an edge).
"""

from __future__ import annotations

import sys

from .run import DEFAULT_OUTPUT
from .run import main as run_main


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    sizes = ",".join(argv) or "16,512"
    # Its own folder: the full run's results in benchmarks/results stay as they are.
    return run_main(
        ["--kinds", "image", "--sizes", f"image={sizes}", "--no-storage", "--no-startup", "--no-memory"]
        + ["--output", str(DEFAULT_OUTPUT / "bench_image")]
    )


if __name__ == "__main__":
    sys.exit(main())
