"""Why a target is missed, with the run's own numbers (for docs/benchmarks.md).

Each note is written only when its target is missed in the results, and
quotes the times the run measured: the conversions, the peers and the single
steps timed for scale (``reference`` records).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .report import KIND_TITLES, Results, ratio, seconds, size_label, targets

DIRECTION_NAMES = {"to_dict": "VTK → ArrayDict", "from_dict": "ArrayDict → VTK"}


class _Facts:
    def __init__(self, results: Results):
        self.results = results

    def reference(self, kind: str, size: int, name: str) -> Optional[float]:
        for record in self.results.records:
            if record["section"] == "reference" and (record["kind"], record["size"], record["name"]) == (
                kind,
                size,
                name,
            ):
                return record["time"]
        return None

    def largest(self, kind: str, direction: str, method: str = "copy") -> Optional[int]:
        sizes = [s for s in self.results.sizes(kind) if self.results.time(kind, direction, s, method)]
        return sizes[-1] if sizes else None

    def loop_size(self, kind: str, direction: str) -> Optional[int]:
        sizes = [s for s in self.results.sizes(kind) if self.results.time(kind, direction, s, "loop")]
        return sizes[-1] if sizes else None


def _missed(results: Results) -> List[tuple]:
    return [(target, case) for target, case, _, met in targets(results) if met is False]


def _case_kind(case: str) -> Optional[str]:
    """The kind a targets-table case is about: the one with the longest title the case starts with.

    ("Images in [z, y, x] order, 512³" is about ``image-zyx``, not ``image``.)
    """
    titles = [(len(title), kind) for kind, title in KIND_TITLES.items() if case.startswith(title)]
    return max(titles)[1] if titles else None


def _has(missed: List[tuple], target: str, kind: str, direction: Optional[str] = None, text: str = "") -> bool:
    return any(
        row_target.startswith(target)
        and _case_kind(case) == kind
        and (direction is None or DIRECTION_NAMES[direction] in case)
        and text in case
        for row_target, case in missed
    )


def notes_for(results_json: Dict[str, Any]) -> str:
    """The section "Where targets are missed, and why" for a run's results ("" when all are met)."""
    results = Results(results_json["records"])
    facts = _Facts(results)
    missed = _missed(results)
    if not missed:
        return ""
    notes: List[str] = []
    time = results.time

    # --- the per-cell loop ---------------------------------------------------------------
    for kind in ("surface", "centerlines"):
        for direction in ("to_dict", "from_dict"):
            at = facts.loop_size(kind, direction)
            if at is None or not _has(missed, "≥ 1000×", kind, direction):
                continue
            loop, limit = time(kind, direction, at, "loop"), time(kind, direction, at, "numpy-copy")
            cells = results.find(kind, direction, at, "loop")["cells"]
            title = f"{KIND_TITLES[kind]} {DIRECTION_NAMES[direction]} at {size_label(kind, at)}"
            parts = [
                f"**{title}, ≥ 1000× faster than the per-cell loop.** The loop takes {seconds(loop)} "
                f"({loop / cells * 1e6:.2f} µs per cell)."
            ]
            if _has(missed, "≥ 1000×", kind, direction, ", copy") and limit:
                parts.append(
                    f"No copying conversion can be 1000× faster: numpy's own copy of the same bytes takes "
                    f"{seconds(limit)}, only {ratio(loop / limit)} faster than the loop; a copy is bound by "
                    "memory bandwidth and the first touch of the new memory."
                )
            if kind == "surface" and direction == "from_dict" and _has(missed, "≥ 1000×", kind, direction, "zero"):
                check, offsets = facts.reference(kind, at, "ids-check"), facts.reference(kind, at, "offsets-array")
                if check and offsets:
                    parts.append(
                        f"Zero-copy would need {seconds(loop / 1000)}; checking every point id once (a read of "
                        f"all ids: {seconds(check)}; an id out of range would make VTK read outside its memory) "
                        f"and writing VTK's offsets array ({seconds(offsets)}) already take "
                        f"{seconds(check + offsets)}."
                    )
            if kind == "centerlines":
                views = facts.reference(kind, at, "line-views")
                if views:
                    parts.append(
                        f"vmtk's layout is one numpy array per line: making the {cells:,} views alone takes "
                        f"{seconds(views)}, while the loop spends only {loop / cells * 1e6:.1f} µs per line; "
                        "1000× is out of reach for any converter that gives vmtk's list."
                    )
            notes.append(" ".join(parts))

    # --- copying against the numpy copy ---------------------------------------------------
    size = facts.largest("centerlines", "to_dict")
    if size and _has(missed, "copying ≤ 2×", "centerlines", "to_dict"):
        views = facts.reference("centerlines", size, "line-views")
        notes.append(
            f"**Centerlines VTK → ArrayDict, copying ≤ 2× numpy copy.** The bytes copy in "
            f"{seconds(time('centerlines', 'to_dict', size, 'numpy-copy'))}; vmtk's layout then needs one numpy "
            f"array per line, {size:,} Python objects"
            + (f", which take {seconds(views)} to make (about 0.2 µs each)" if views else "")
            + f". The conversion takes {seconds(time('centerlines', 'to_dict', size, 'copy'))}."
        )
    for direction in ("from_dict", "to_dict"):
        size = facts.largest("mesh", direction)
        if size and _has(missed, "copying ≤ 2×", "mesh", direction):
            what = (
                "parses vmtk's flat layout `[n, ids..., n, ids...]`: it checks every count against "
                "`CellLocations`, gathers the ids from between the counts and checks them"
                if direction == "from_dict"
                else "writes vmtk's flat layout, a count before each cell's ids: a strided re-layout of "
                "1.25× the ids' bytes, not a copy"
            )
            notes.append(
                f"**Meshes {DIRECTION_NAMES[direction]}, copying ≤ 2× numpy copy.** The conversion {what} "
                f"({seconds(time('mesh', direction, size, 'copy'))} against "
                f"{seconds(time('mesh', direction, size, 'numpy-copy'))} for a copy of the same arrays at "
                f"{size_label('mesh', size)}). PyVista, which uses the same flat layout, takes "
                f"{seconds(time('mesh', direction, size, 'pyvista-copy'))}."
            )

    # --- zero-copy in constant time, and against PyVista's zero-copy ------------------------
    size = facts.largest("surface", "to_dict", "zero-copy")
    if size and (
        _has(missed, "zero-copy constant", "surface", "to_dict")
        or _has(missed, "not slower than PyVista", "surface", "to_dict")
    ):
        check = facts.reference("surface", size, "offsets-check")
        notes.append(
            "**Surfaces VTK → ArrayDict, zero-copy constant in size and against PyVista.** To give the ids as "
            "an (M, 3) array the converter proves that every cell has three points: VTK's "
            "`IsHomogeneous` reads the offsets once"
            + (f" ({seconds(check)} at {size_label('surface', size)})" if check else "")
            + ", and `CellTypes` takes one byte per cell. PyVista's `regular_faces` checks only the first "
            "cell's size and the total number of ids, so cells of 3, 2 and 4 points come out as three "
            "triangles; it gives no cell types. "
            f"Zero-copy: {seconds(time('surface', 'to_dict', size, 'zero-copy'))} against "
            f"{seconds(time('surface', 'to_dict', size, 'pyvista-zero-copy'))}; copying: "
            f"{seconds(time('surface', 'to_dict', size, 'copy'))} against "
            f"{seconds(time('surface', 'to_dict', size, 'pyvista-copy'))}. With VTK's fixed-size cell storage "
            "(VTK ≥ 9.6) the check is free."
        )
    size = facts.largest("surface", "from_dict", "zero-copy")
    if size and (
        _has(missed, "zero-copy constant", "surface", "from_dict")
        or _has(missed, "not slower than PyVista", "surface", "from_dict")
    ):
        check, offsets = (
            facts.reference("surface", size, "ids-check"),
            facts.reference("surface", size, "offsets-array"),
        )
        notes.append(
            f"**Surfaces ArrayDict → VTK, zero-copy constant in size and against PyVista.** At "
            f"{size_label('surface', size)} the zero-copy conversion takes "
            f"{seconds(time('surface', 'from_dict', size, 'zero-copy'))}: every point id is checked once"
            + (f" ({seconds(check)})" if check else "")
            + " — an id out of range would make VTK read outside its memory — and VTK gets an offsets array"
            + (f" ({seconds(offsets)})" if offsets else "")
            + ". PyVista checks no id and stores the cells in VTK's fixed-size layout, whose offsets are "
            f"implicit ({seconds(time('surface', 'from_dict', size, 'pyvista-zero-copy'))}). The package keeps "
            "VTK's general layout because code that reads `GetOffsetsArray()` as a numpy array "
            "(`vtk.util.numpy_support`, vmtk, this package's own tests) cannot read implicit offsets."
        )
    for direction in ("to_dict", "from_dict"):
        size = facts.largest("centerlines", direction, "zero-copy")
        if size and _has(missed, "zero-copy constant", "centerlines", direction):
            views = facts.reference("centerlines", size, "line-views")
            why = (
                f"gives one numpy view per line ({size:,} lines"
                + (f": {seconds(views)} to make" if views else "")
                + ")"
                if direction == "to_dict"
                else "gathers vmtk's one array per line into VTK's one connectivity array: a copy no "
                "converter can avoid"
            )
            notes.append(
                f"**Centerlines {DIRECTION_NAMES[direction]}, zero-copy constant in size.** Zero-copy still "
                f"{why}; points and data arrays are shared "
                f"({seconds(time('centerlines', direction, size, 'zero-copy'))} at {size:,} lines, PyVista "
                f"{seconds(time('centerlines', direction, size, 'pyvista-zero-copy'))})."
            )
    for direction in ("to_dict", "from_dict"):
        size = facts.largest("mesh", direction, "zero-copy")
        if size and _has(missed, "zero-copy constant", "mesh", direction):
            notes.append(
                f"**Meshes {DIRECTION_NAMES[direction]}, zero-copy constant in size.** vmtk's flat cell layout "
                "is not VTK's, so the cells are always laid out anew; points, data arrays and cell types are "
                f"shared ({seconds(time('mesh', direction, size, 'zero-copy'))} at {size_label('mesh', size)}, "
                f"PyVista {seconds(time('mesh', direction, size, 'pyvista-zero-copy'))})."
            )
    for direction in ("to_dict", "from_dict"):
        size = facts.largest("image", direction, "zero-copy")
        if size and _has(missed, "not slower than PyVista", "image", direction):
            notes.append(
                f"**Images {DIRECTION_NAMES[direction]}, zero-copy against PyVista.** Both take a constant time, "
                f"{seconds(time('image', direction, size, 'zero-copy'))} against "
                f"{seconds(time('image', direction, size, 'pyvista-zero-copy'))}: the converter checks the "
                "dict's Origin, Spacing, Dimensions, Direction (orthonormal), Extent, index order and every "
                "section, and sets the direction matrix, which PyVista's `ImageData(dimensions, spacing, "
                "origin)` does not."
            )
    size = facts.largest("centerlines", "to_dict")
    if size and _has(missed, "not slower than PyVista", "centerlines", "to_dict"):
        notes.append(
            "**Centerlines VTK → ArrayDict, copying against PyVista.** PyVista's `.lines` is its flat "
            "`[n, ids...]` array; the converter gives vmtk's list of one array per line "
            f"({seconds(time('centerlines', 'to_dict', size, 'copy'))} against "
            f"{seconds(time('centerlines', 'to_dict', size, 'pyvista-copy'))} at {size:,} lines)."
        )

    # --- storage ----------------------------------------------------------------------------
    for kind in results.kinds("storage"):
        sizes = results.sizes(kind, "storage")
        if not sizes or not _has(missed, "HDF5", kind):
            continue
        size = sizes[-1]
        hdf5, limit = results.storage_record(kind, size, "hdf5"), results.storage_record(kind, size, "numpy-save")
        text = (
            f"**Storage of {KIND_TITLES[kind].lower()}, HDF5 against np.save/np.load** at "
            f"{size_label(kind, size)}: write {seconds(hdf5['write'])} against {seconds(limit['write'])}, "
            f"read {seconds(hdf5['read'])} against {seconds(limit['read'])}."
        )
        if kind == "centerlines":
            text += (
                f" vmtk's HDF5 layout stores a list as a group with one dataset per item: {size:,} lines are "
                f"{size:,} datasets, and HDF5 spends about "
                f"{(hdf5['write'] - limit['write']) / size * 1e6:.0f} µs more per dataset to write and "
                f"{(hdf5['read'] - limit['read']) / size * 1e6:.0f} µs more to read than np.save/np.load per "
                "array. Keeping vmtk's layout (files vmtk reads) costs this; pickle and npz do not."
            )
        elif kind == "image":
            text += (
                " vmtk's [x, y, z] arrays are Fortran-ordered and HDF5 stores C order, so the writer "
                "transposes them (in blocks); np.save writes Fortran order as it is. Storing the voxels with "
                "their axes reversed would be as fast, but a reader following vmtk's layout would then get "
                "a transposed image without noticing."
            )
            zyx = results.storage_record("image-zyx", size, "hdf5")
            zyx_limit = results.storage_record("image-zyx", size, "numpy-save")
            if zyx and zyx_limit:
                text += (
                    f" The same voxels in [z, y, x] order (`image_to_dict(image, index_order=\"zyx\")`, C order) "
                    f"write in {seconds(zyx['write'])} against {seconds(zyx_limit['write'])} and read in "
                    f"{seconds(zyx['read'])} against {seconds(zyx_limit['read'])}."
                )
        else:
            text += (
                " HDF5's fixed costs per file and per dataset (creating the file, its metadata, a chunk index "
                "per dataset) weigh more in a file of this size than in larger ones; they are the format's own."
            )
        notes.append(text)

    for kind in results.kinds():
        for direction in ("to_dict", "from_dict"):
            size = facts.largest(kind, direction)
            if size and _has(missed, "peak memory", kind, direction):
                record = results.find(kind, direction, size, "copy")
                memory = record["memory"]
                extra = memory["input_bytes"] + memory["rise"] - memory["input_bytes"] - memory["output_bytes"]
                notes.append(
                    f"**{KIND_TITLES[kind]} {DIRECTION_NAMES[direction]}, peak memory.** Beyond the input and "
                    f"the output the conversion holds {extra / 1e6:.1f} MB of temporaries at "
                    f"{size_label(kind, size)}"
                    + (
                        ": parsing vmtk's flat cell layout needs the cells' sizes and ends, and for cells of "
                        "different sizes a mask over all its values."
                        if kind == "mesh"
                        else "."
                    )
                )
    return "## Where targets are missed, and why\n\n" + "\n\n".join(notes) + "\n"
