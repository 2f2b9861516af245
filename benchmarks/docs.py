"""docs/benchmarks.md: the latest tables with the machine they ran on and how they were measured."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from .measure import PROJECT_ROOT

DOCS_PATH = PROJECT_ROOT / "docs" / "benchmarks.md"

HOW = """\
## What is measured

Every method runs in one process, on the same generated data, at each size
(`benchmarks/data.py`):

- **surfaces**: a closed tube of triangles, float32 points, a 3-component
  float32 point array and an int32 cell array, int64 ids;
- **centerlines**: polylines of 10 to 100 points each, float64 points, a
  float64 radius per point, an int32 id per line (vmtk's layout: one id array per line);
- **meshes**: tetrahedra (six per cube of a grid), float64 points, one point
  and one cell array, vmtk's flat cell layout;
- **images**: an int16 volume, `[x, y, z]` order (vmtk's).

The VTK side is built as a reader builds it: VTK owns its memory and uses its
general offsets + connectivity cell storage.

Methods, in both directions (VTK → ArrayDict, ArrayDict → VTK):

- **numpy copy (limit)**: `ndarray.copy()` of the arrays the conversion moves
  (points, cell ids, data arrays; for centerlines into VTK, `np.concatenate`
  of the per-line id arrays). A copying conversion cannot beat it.
- **vmtkscripts_numpy, copying / zero-copy**: `polydata_to_dict`,
  `centerlines_to_dict`, `mesh_to_dict`, `image_to_dict` with `copy=True` /
  `copy=False`, and `dict_to_polydata`, `dict_to_centerlines`,
  `dict_to_mesh`, `dict_to_image` with `share=False` / `share=True`.
- **PyVista, copying / zero-copy**: `pyvista.wrap(obj)` then `.points`,
  `.regular_faces` (surfaces), `.lines` / `.cells` + `.celltypes` (centerlines,
  meshes: PyVista's flat layout, always a new array), `.point_data[...]`,
  `.cell_data[...]`, as `np.array` copies or as they come; the other way
  `pyvista.PolyData.from_regular_faces(points, faces)` (zero-copy) or
  `pyvista.PolyData(points, faces=CellArray.from_regular_cells(faces, deep=True), deep=True)`
  (copying; `from_regular_faces(deep=True)` still shares the points),
  `pyvista.PolyData(points, lines=CellArray.from_irregular_cells(lines))`,
  `pyvista.UnstructuredGrid(cells, celltypes, points)`, `pyvista.ImageData`,
  each with `point_data.set_array(..., deep_copy=...)`.
- **per-cell Python loop**: the way vmtk's numpy scripts for surfaces and
  centerlines handle cells, written here in a few lines: `GetCell(i)` once per
  cell and `GetPointId(j)` per id one way; `InsertNextPoint` per point and
  `InsertNextCell(n)` per cell plus one `InsertCellPoint` per id the other
  (vmtk adds ids one call each too, over numpy scalars, which is slower
  still; handing a cell's ids to `InsertNextCell(n, ids)` in one call would be
  about 1.8× faster). Points and data arrays go through numpy, as in vmtk. The
  loop runs only up to a million cells and only while it is projected to take
  under a minute; where it was not run the table says so and gives the
  projection from the per-cell cost it measured, which no ratio uses. vmtk's
  image and mesh scripts hand whole arrays to VTK, so images and meshes have
  no loop.
- **storage**: the ArrayDict a copying conversion gives, written and read
  with `vmtkscripts_numpy.storage` (HDF5 uncompressed, gzip level 4, lzf;
  pickle; npz) against `np.save` / `np.load` of the same arrays one after
  another in one file. Files go to the system's temporary folder. Before each
  write (untimed) the file of the run before is removed, so that every write
  makes a new file, and the system's dirty pages are flushed (`os.sync`), so
  that no write pays for flushing the one before it; reads come from the page
  cache. Replacing a file instead adds the freeing of the old one, which
  `np.save` does before it writes (it truncates) and an atomic writer after
  (it renames); on this virtual machine that order alone moved the same HDF5
  write between 100 and 600 ms.
- **start-up**: the median wall time of 9 runs of
  `python -m vmtkscripts_numpy --help` (what the `vmtknumpy` command runs)
  against `python -c "import numpy"`.

Times are the fastest of up to 7 runs within about two seconds per method, the
methods compared at a size taking turns (the garbage collector off during a
run); a run over a second is done once, the per-cell loop from 100k cells on
once. Every array of 1 MB or more gets fresh pages from the system
(`mallopt(M_MMAP_THRESHOLD, 1 MB)`; glibc does so above 32 MB anyway): below
that glibc reuses freed memory or not depending on what ran before, which
changed the time of one conversion threefold between runs. So every method,
the numpy copy included, pays the first touch of the arrays it makes, as a
one-off conversion does. Before each size the harness touches twice the
input's bytes once: on a virtual machine the first touch of memory the guest
has never used costs several times a later touch.

**Peak memory** is measured at the largest size, for each method in a fresh
child process (`python -m benchmarks.measure KIND DIRECTION SIZE METHOD`):
the child builds the input, returns freed memory to the system
(`malloc_trim`), resets the kernel's peak-RSS mark (`/proc/self/clear_refs`),
runs the conversion once and reads `VmHWM` from `/proc/self/status`. Peak =
input bytes + rise of the peak RSS, so VTK's C++ allocations count (which
`tracemalloc` would miss). "× in+out" is that peak over the input's plus the
output's array bytes.

Ratios: "× numpy copy" and "× PyVista" are this method's time over the
other's (below 1: faster); "loop ÷ this" is how many times faster than the
per-cell loop. A zero-copy conversion counts as constant when its time at the
largest size is at most twice its time at the smallest plus 20 µs; "not
slower than PyVista" allows 10% for timing noise on a shared machine. On the
shared 2-core machine above, ratios near a target moved by about ±15% from one
run to the next (HDF5 reads of the 512³ image: 1.48× in one run, 1.51× in
the next), so a target met or missed by less than that is a draw.
"""


def _machine_table(results: Dict[str, Any]) -> str:
    lines = ["| | |", "|---|---|"]
    for key, value in results["machine"].items():
        lines.append(f"| {key} | {value} |")
    return "\n".join(lines)


def write(results: Dict[str, Any], tables: str, notes: str = "") -> Path:
    """Write docs/benchmarks.md from a run's results and its rendered tables; returns the path."""
    from .notes import notes_for

    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Generated by `python -m benchmarks.run --write-docs` (do not edit by hand; rerun it).",
            "",
            f"Run: `{results['command'].strip()}`, {results['started']}, on:",
            "",
            _machine_table(results),
            "",
            HOW,
            notes or notes_for(results),
            tables,
        ]
    )
    DOCS_PATH.write_text(text.rstrip() + "\n", encoding="utf-8")
    return DOCS_PATH
