"""NRRD images (``.nrrd``, ``.nhdr``): read by the package itself, not written.

Every declared size is checked against the file
(:mod:`vmtkscripts_numpy.vtkfiles._nrrd`); the image is placed from
``space``, ``space directions`` and ``kinds``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
from vtkmodules.vtkCommonDataModel import vtkImageData

from ...convert.arrays import numpy_to_vtk
from ...errors import DataFileError
from .. import _nrrd
from .._image_grid import SINGLE_ARRAY_NAME, new_image


#: NRRD ``space`` values -> the matrix that takes that frame to LPS.
_NRRD_FRAMES: Dict[str, np.ndarray] = {
    "right-anterior-superior": np.diag([-1.0, -1.0, 1.0]),
    "ras": np.diag([-1.0, -1.0, 1.0]),
    "left-anterior-superior": np.diag([1.0, -1.0, 1.0]),
    "las": np.diag([1.0, -1.0, 1.0]),
    "left-posterior-superior": np.eye(3),
    "lps": np.eye(3),
}


_NRRD_SPATIAL_KINDS = ("domain", "space")


def _nrrd_vectors(text: str) -> List[Optional[np.ndarray]]:
    vectors: List[Optional[np.ndarray]] = []
    for match in re.finditer(r"\(([^)]*)\)|none", text):
        if match.group(1) is None:
            vectors.append(None)
        else:
            vectors.append(np.array([float(v) for v in match.group(1).split(",")], dtype=np.float64))
    return vectors


def _nrrd_layout(fields: Dict[str, str], path: Path) -> Dict[str, Any]:
    """Axes, components and placement (in the file's frame) from a NRRD header."""
    try:
        dimension = int(fields["dimension"])
        sizes = [int(v) for v in fields["sizes"].split()]
        directions = _nrrd_vectors(fields["space directions"]) if "space directions" in fields else None
        origin_vectors = _nrrd_vectors(fields.get("space origin", ""))
        spacings = [float(v) for v in fields["spacings"].split()] if "spacings" in fields else None
    except (KeyError, ValueError) as error:
        raise DataFileError(path, f"has a NRRD header that cannot be understood: {error}") from None
    kinds = fields.get("kinds", "").lower().split()
    if len(sizes) != dimension:
        raise DataFileError(path, f"has {len(sizes)} sizes for dimension {dimension}")
    if directions is not None and len(directions) == dimension:
        spatial = [vector is not None for vector in directions]
    elif len(kinds) == dimension:
        spatial = [kind in _NRRD_SPATIAL_KINDS for kind in kinds]
    else:
        spatial = [not (dimension == 4 and axis == 0) for axis in range(dimension)]
    spatial_axes = [axis for axis in range(dimension) if spatial[axis]]
    if not 2 <= len(spatial_axes) <= 3 or spatial_axes != list(range(dimension - len(spatial_axes), dimension)) or (
        dimension - len(spatial_axes) > 1
    ):
        raise DataFileError(
            path,
            f"has axes {fields.get('kinds', '(no kinds)')!r} with sizes {sizes}: only 2D or 3D images, with at most "
            "one non-spatial axis and that one first (vector components), can be read",
        )
    components = sizes[0] if not spatial[0] else 1
    dims = [sizes[axis] for axis in spatial_axes] + [1] * (3 - len(spatial_axes))
    if directions is not None and len(directions) == dimension:
        # Vectors of a 2D space get a zero z; longer ones are cut to x, y, z.
        vectors = [directions[axis] for axis in spatial_axes]  # a spatial axis has a vector
        columns = [np.resize(np.pad(vector, (0, max(0, 3 - len(vector)))), 3)
                   for vector in vectors if vector is not None]
        steps = np.array([np.linalg.norm(column) for column in columns])
        if np.any(steps == 0):
            raise DataFileError(path, "has a zero vector in 'space directions'")
        units = [column / step for column, step in zip(columns, steps)]
        if len(units) == 2:
            units.append(np.cross(units[0], units[1]))
            steps = np.append(steps, 1.0)
        direction, spacing = np.column_stack(units), steps
    else:
        direction = np.eye(3)
        given = [spacings[axis] for axis in spatial_axes] if spacings else []
        spacing = np.array([v if np.isfinite(v) and v > 0 else 1.0 for v in given] + [1.0] * (3 - len(given)))
    origin = np.zeros(3)
    if origin_vectors and origin_vectors[0] is not None:
        origin[: min(3, len(origin_vectors[0]))] = origin_vectors[0][:3]
    return {"dimensions": dims, "components": components, "direction": direction, "spacing": spacing, "origin": origin}


def read_image(path: Path) -> vtkImageData:
    """Read an image from a NRRD file (``path`` exists and is readable)."""
    fields, _ = _nrrd.read_header(path)
    layout = _nrrd_layout(fields, path)
    # The values in the file's order (fastest axis first) are VTK's: components, then x, y, z.
    _, values = _nrrd.read_nrrd(path)
    values = values.reshape(-1, layout["components"]) if layout["components"] > 1 else values
    space = fields.get("space", "").lower()
    frame = _NRRD_FRAMES.get(space, np.eye(3))
    image = new_image(layout["dimensions"], frame @ layout["origin"], layout["spacing"], frame @ layout["direction"])
    image.GetPointData().SetScalars(numpy_to_vtk(values, name=SINGLE_ARRAY_NAME, share=True))
    return image
