"""VTKHDF files checked with h5py before ``vtkHDFReader`` reads them.

``vtkHDFReader`` allocates by the counts and shapes it reads (``NumberOfPoints``,
``WholeExtent``...), reads hyperslabs HDF5 refuses with diagnostics on the
terminal when a dataset is smaller than the counts say, and builds cells from
offsets it does not check. An HDF5 dataset can also declare a shape its file
does not store (unwritten chunks read as fill values), keep its values in
another file (external storage, virtual datasets) or be a link to another
file. The check here, for a single-part file without time steps (what VTK and
the package write), makes sure that:

- every group and dataset VTK reads under ``/VTKHDF`` is in this file (hard
  links, no external or virtual storage);
- counts are non-negative integers, and every dataset VTK reads has the
  type, shape and rows they announce, stored in the file (its storage, or
  its compressed storage times deflate's 1032:1, holds the bytes);
- offsets run from 0 up to the connectivity's length (they are read: VTK
  builds cells from them unchecked); an image's arrays have its extent's
  shape;
- the attributes VTK needs are there (``Version``, ``Type``; an image's
  ``WholeExtent``, ``Origin``, ``Spacing``, ``Direction``).

Files with several parts or time steps, which VTK puts together itself, and
meshes with polyhedron cells are reported instead: :func:`check_vtkhdf`
returns True, and the caller reads them in a child process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional, Sequence

import numpy as np

from ..errors import DataFileError

#: The most bytes deflate makes of one compressed byte, and what a tiny dataset may add (compact storage).
DEFLATE_RATIO, STORAGE_SLACK = 1032, 4096
#: The cell groups of a PolyData file, in VTK's order.
POLYDATA_TOPOLOGIES = ("Vertices", "Lines", "Polygons", "Strips")
#: VTK's cell type of polyhedra.
VTK_POLYHEDRON = 42
#: Rows of offsets or types read at a time.
BLOCK_ROWS = 1 << 20


class _Bad(Exception):
    """What is wrong, in words that follow "cannot be read as VTKHDF <type>: "."""


def _member(group: Any, name: str, required: bool = True) -> Any:
    """The object ``name`` of ``group`` if it is stored in this file; None if absent and not required."""
    import h5py

    link = group.get(name, getlink=True)
    if link is None:
        if required:
            raise _Bad(f"it has no {group.name.rstrip('/')}/{name}")
        return None
    if not isinstance(link, h5py.HardLink):
        raise _Bad(f"its {group.name.rstrip('/')}/{name} is a link ({type(link).__name__}), not data of this file")
    item = group[name]
    if isinstance(item, h5py.Dataset):
        plist = item.id.get_create_plist()
        if plist.get_layout() == h5py.h5d.VIRTUAL or plist.get_external_count():
            raise _Bad(f"its {item.name} keeps its values in other files")
    return item


def _dataset(group: Any, name: str, required: bool = True) -> Any:
    import h5py

    item = _member(group, name, required)
    if item is not None and not isinstance(item, h5py.Dataset):
        raise _Bad(f"its {item.name} is not a dataset")
    return item


def _stored(dataset: Any, rows: int, kinds: str = "iuf") -> None:
    """Raise unless ``dataset`` has numbers of a kind in ``kinds`` and holds ``rows`` rows, stored in the file."""
    if dataset.dtype.kind not in kinds:
        raise _Bad(f"its {dataset.name} holds {dataset.dtype} values, not {'integers' if kinds == 'iu' else 'numbers'}")
    if dataset.ndim == 0 or dataset.shape[0] < rows:
        raise _Bad(f"its {dataset.name} has {dataset.shape[0] if dataset.ndim else 0} rows, {rows} are needed")
    needed = rows * int(np.prod(dataset.shape[1:], dtype=object)) * dataset.dtype.itemsize
    storage = dataset.id.get_storage_size()
    ratio = DEFLATE_RATIO if dataset.id.get_create_plist().get_nfilters() else 1
    if needed > storage * ratio + STORAGE_SLACK:
        raise _Bad(f"its {dataset.name} declares {needed} bytes and stores {storage} (it is truncated or damaged)")


def _count(group: Any, name: str) -> int:
    """A single-part count (``NumberOfPoints``...): one non-negative integer."""
    dataset = _dataset(group, name)
    _stored(dataset, 1, "iu")
    if dataset.shape != (1,):
        raise _Bad(f"its {dataset.name} has the shape {dataset.shape}; one part (1,) is read here")
    value = int(dataset[0])
    if value < 0:
        raise _Bad(f"its {dataset.name} is {value}")
    return value


def _offsets(group: Any, cells: int, ids: int) -> None:
    """The ``cells + 1`` offsets of a cell group: they run from 0, never down, to the ``ids`` of the connectivity."""
    offsets = _dataset(group, "Offsets")
    _stored(offsets, cells + 1, "iu")
    connectivity = _dataset(group, "Connectivity")
    _stored(connectivity, ids, "iu")
    if offsets.ndim != 1 or connectivity.ndim != 1:
        raise _Bad(f"its {offsets.name} or {connectivity.name} is not one-dimensional")
    previous = 0
    for start in range(0, cells + 1, BLOCK_ROWS):  # a million offsets at a time
        block = offsets[start:min(start + BLOCK_ROWS, cells + 1)].astype(np.int64)
        if (start == 0 and block[0] != 0) or block[0] < previous or bool(np.any(block[1:] < block[:-1])):
            raise _Bad(f"its {offsets.name} do not run from 0 upwards")
        previous = int(block[-1])
    if previous != ids:
        raise _Bad(f"its {offsets.name} end at {previous}, its connectivity has {ids} ids")


def _attributes(root: Any, section: str, rows: int, shape: Optional[Sequence[int]] = None) -> None:
    """The arrays of PointData / CellData: ``rows`` rows each (an image's: the extent's ``shape``)."""
    import h5py

    group = _member(root, section, required=False)
    if group is None:
        return
    if not isinstance(group, h5py.Group):
        raise _Bad(f"its {group.name} is not a group")
    for name in group:
        dataset = _dataset(group, name)
        if shape is not None:
            if tuple(dataset.shape[:3]) != tuple(shape) or dataset.ndim not in (3, 4):
                raise _Bad(f"its {dataset.name} has the shape {dataset.shape}, the extent needs {tuple(shape)}")
            rows_needed = shape[0]
        else:
            if dataset.ndim not in (1, 2):
                raise _Bad(f"its {dataset.name} has {dataset.ndim} dimensions")
            rows_needed = rows
        _stored(dataset, rows_needed)


def _field_data(root: Any) -> None:
    import h5py

    group = _member(root, "FieldData", required=False)
    if group is None:
        return
    if not isinstance(group, h5py.Group):
        raise _Bad(f"its {group.name} is not a group")
    for name in group:
        dataset = _dataset(group, name)
        if dataset.dtype.kind in "iuf":
            _stored(dataset, dataset.shape[0] if dataset.ndim else 1)
        elif dataset.dtype.kind not in "SO" or dataset.size > dataset.id.get_storage_size() + STORAGE_SLACK:
            raise _Bad(f"its {dataset.name} holds {dataset.dtype} values VTK does not read")


def _numbers(root: Any, name: str, count: int) -> List[float]:
    value = root.attrs.get(name)
    values = np.ravel(np.asarray(value)) if value is not None else np.zeros(0)
    if values.size != count or values.dtype.kind not in "iuf":
        raise _Bad(f"its {name} attribute is not {count} numbers")
    return values.tolist()


def _image(root: Any) -> None:
    extent = _numbers(root, "WholeExtent", 6)
    for name, count in (("Origin", 3), ("Spacing", 3), ("Direction", 9)):
        _numbers(root, name, count)
    if any(not float(value).is_integer() or abs(value) >= 2 ** 31 for value in extent):
        raise _Bad(f"its WholeExtent {extent} is not six integers of VTK's range")
    start, end = np.array(extent[0::2], np.int64), np.array(extent[1::2], np.int64)
    if bool(np.any(start > end)):
        raise _Bad(f"its WholeExtent {tuple(int(v) for v in extent)} is not a box (a start beyond its end)")
    points = (end - start + 1)[::-1]  # the arrays are indexed [z, y, x]
    cells = np.maximum(points - 1, 1)
    _attributes(root, "PointData", 0, [int(value) for value in points])
    _attributes(root, "CellData", 0, [int(value) for value in cells])


def _polydata(root: Any) -> None:
    points = _points(root)
    cells = 0
    for topology in POLYDATA_TOPOLOGIES:
        group = _member(root, topology)
        count, ids = _count(group, "NumberOfCells"), _count(group, "NumberOfConnectivityIds")
        _offsets(group, count, ids)
        cells += count
    _attributes(root, "PointData", points)
    _attributes(root, "CellData", cells)


def _points(root: Any) -> int:
    points = _count(root, "NumberOfPoints")
    coordinates = _dataset(root, "Points")
    _stored(coordinates, points)
    if coordinates.ndim != 2 or coordinates.shape[1] != 3:
        raise _Bad(f"its {coordinates.name} has the shape {coordinates.shape}, not (n, 3)")
    return points


def _unstructured_grid(root: Any) -> bool:
    """Check a mesh; return whether it has polyhedron cells."""
    points = _points(root)
    cells, ids = _count(root, "NumberOfCells"), _count(root, "NumberOfConnectivityIds")
    _offsets(root, cells, ids)
    types = _dataset(root, "Types")
    _stored(types, cells, "iu")
    polyhedra = any(bool(np.any(types[start:min(start + BLOCK_ROWS, cells)] == VTK_POLYHEDRON))
                    for start in range(0, cells, BLOCK_ROWS))
    _attributes(root, "PointData", points)
    _attributes(root, "CellData", cells)
    return polyhedra


def _parts_or_steps(root: Any) -> bool:
    """Whether VTK would put the file together from several parts or steps (read apart, see the module)."""
    if _member(root, "Steps", required=False) is not None:
        return True
    count = _member(root, "NumberOfPoints", required=False)
    return count is not None and getattr(count, "shape", (1,)) != (1,)


def check_vtkhdf(path: Path, hdf_type: str) -> bool:
    """Check a VTKHDF file of ``hdf_type`` (``"ImageData"``, ``"PolyData"``, ``"UnstructuredGrid"``).

    Returns
    -------
    bool
        True when the file must be read in a child process (several parts,
        time steps, polyhedron cells).

    Raises
    ------
    DataFileError
        For anything VTK would allocate or read that the file does not hold.
    """
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            root = _member(handle, "VTKHDF")
            if not isinstance(root, h5py.Group):
                raise _Bad("its /VTKHDF is not a group")
            _numbers(root, "Version", 2)
            if hdf_type == "ImageData":
                _image(root)
                _field_data(root)
                return False
            if _parts_or_steps(root):
                return True
            _field_data(root)
            if hdf_type == "PolyData":
                _polydata(root)
                return False
            return _unstructured_grid(root)
    except _Bad as bad:
        raise DataFileError(path, f"cannot be read as VTKHDF {hdf_type}: {bad}") from None
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise DataFileError(path, f"is not a readable HDF5 file (truncated or damaged?): {error}") from None
