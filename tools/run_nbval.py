"""Re-execute the executed copies in ``build/notebooks`` with nbval and compare tagged cells.

Only copies that contain cells tagged ``nbval-check-output`` are re-run (nbval's
``--nbval-lax`` mode checks only those cells). The copies keep papermill's
injected parameters cell, so the re-run is a smoke run too.

    python tools/run_nbval.py [-n 2] [extra pytest args]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
EXECUTED_DIR = ROOT / "build" / "notebooks"
TAG = "nbval-check-output"


def targets(executed_dir: Path = EXECUTED_DIR, source_dir: Path = ROOT / "notebooks") -> list[Path]:
    """Executed copies of current lessons that ran to the end and have a cell tagged for nbval.

    A copy whose papermill run failed is skipped: the smoke test already reported it.
    """
    found = []
    for path in sorted(executed_dir.glob("*.ipynb")):
        if not (source_dir / path.name).is_file():
            continue  # a copy of a lesson that no longer exists
        nb = nbformat.read(path, as_version=4)
        if nb.metadata.get("papermill", {}).get("exception"):
            print(f"nbval: skipping {path.name} (its papermill run failed)")
            continue
        if any(TAG in cell.get("metadata", {}).get("tags", []) for cell in nb.cells):
            found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--workers", type=int, default=1)
    args, extra = parser.parse_known_args(argv)
    paths = targets()
    if not paths:
        print("nbval: no executed notebook in build/notebooks has cells tagged nbval-check-output")
        return 0
    env = dict(os.environ)
    env.update({
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "COURSE_MODE": "smoke",
        "COURSE_RESULTS_DIR": str(ROOT / "build" / "nbval" / "results"),
    })
    env.setdefault("COURSE_DATA_DIR", str(ROOT / "build" / "course_data"))
    # The copies live in build/notebooks, so the setup cell's ".." fallback is not the checkout.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
               "--nbval-cell-timeout=600", "-p", "no:cacheprovider", "--rootdir", str(ROOT)]
    if args.workers > 1 and len(paths) > 1:
        command += ["-n", str(min(args.workers, len(paths))), "--dist", "loadfile"]
    command += [*extra, *map(str, paths)]
    print("nbval:", ", ".join(p.name for p in paths), flush=True)
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
