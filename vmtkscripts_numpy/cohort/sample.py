"""A generated cohort: many different vessels from the package's sample vessel, for trying the runner out.

Each case is the sample Y bifurcation of :mod:`vmtkscripts_numpy.sample_data`
(or any surface or centerlines given as ``base``), changed by a seeded random
draw: bent sideways, scaled, rotated and moved, with its two daughter branches
cut at different lengths (so cases differ in their numbers of points and
cells), its radii and wall shear stress scaled with it. Surfaces and
centerlines of one seed agree with each other.

Examples
--------
>>> import tempfile
>>> paths = write_sample_cohort(tempfile.mkdtemp(), cases=3, kind="centerlines")
>>> [path.name for path in paths]
['case000.vtp', 'case001.vtp', 'case002.vtp']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

from .. import sample_data
from .._typing import PathLike


#: The kinds of case :func:`write_sample_cohort` writes.
KINDS = ("surface", "centerlines")

#: Stations kept along each daughter branch: from this many to all of them.
FEWEST_STATIONS = 8


def _stations(count: int, per_station: int) -> np.ndarray:
    """The station (axial index) and branch of each point of the sample vessel, as ``(branch, station)``."""
    per_branch = sample_data.AXIAL_STATIONS * per_station
    expected = per_branch * len(sample_data.BRANCHES)
    if count != expected:
        raise RuntimeError(f"the sample vessel has {count} points, not the {expected} this generator expects")
    index = np.arange(count)
    return np.stack([index // per_branch, (index % per_branch) // per_station])


def _keep_points(arrays: Dict[str, Any], keep: np.ndarray) -> Dict[str, Any]:
    """The dict with only the points ``keep`` marks, and only the cells (and cell data) all of whose points remain."""
    new_index = np.cumsum(keep) - 1
    cells = arrays["CellData"]["CellPointIds"]
    if isinstance(cells, list):
        kept_cells = [new_index[line[keep[line]]].astype(line.dtype) for line in cells]
        cell_mask = np.array([len(line) >= 2 for line in kept_cells])
        kept_cells = [line for line, kept in zip(kept_cells, cell_mask) if kept]
    else:
        cell_mask = keep[cells].all(axis=1)
        kept_cells = new_index[cells[cell_mask]].astype(cells.dtype)
    result = dict(arrays)
    result["Points"] = arrays["Points"][keep]
    result["PointData"] = {name: values[keep] for name, values in arrays["PointData"].items()}
    result["CellData"] = {name: kept_cells if name == "CellPointIds" else values[cell_mask]
                          for name, values in arrays["CellData"].items()}
    if "CellTypes" in arrays:
        result["CellTypes"] = arrays["CellTypes"][cell_mask]
    return result


def _principal_frame(points: np.ndarray):
    """The points' centre, their longest principal axis, a unit vector across it, and their extent along it."""
    centre = points.mean(axis=0)
    axes = np.linalg.svd(points - centre, full_matrices=False)[2]
    along = (points - centre) @ axes[0]
    return centre, axes[0], axes[1], along


def _deform(points: np.ndarray, draw: Dict[str, Any]) -> np.ndarray:
    """Bend sideways along the vessel's length, then scale, rotate and move."""
    _, _, across, along = _principal_frame(points)
    bent = points + (draw["bend"] * np.sin(np.pi * along / draw["bend_length"]))[:, None] * across
    return (draw["scale"] * bent) @ draw["rotation"].T + draw["shift"]


def _draw(rng: np.random.Generator) -> Dict[str, Any]:
    # A random rotation: QR of a Gaussian matrix, signs fixed so that it is uniform and proper.
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q *= np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    stations = rng.integers(FEWEST_STATIONS, sample_data.AXIAL_STATIONS + 1, size=len(sample_data.BRANCHES))
    stations[0] = sample_data.AXIAL_STATIONS
    return {"bend": rng.uniform(-2.5, 2.5), "bend_length": rng.uniform(15.0, 30.0), "scale": rng.uniform(0.8, 1.25),
            "rotation": q, "shift": rng.uniform(-20.0, 20.0, 3), "stations": stations,
            "cut": rng.uniform(0.75, 1.0)}


def _vary(arrays: Dict[str, Any], keep: np.ndarray, draw: Dict[str, Any]) -> Dict[str, Any]:
    """Keep the points ``keep`` marks, deform them, and change the data that depends on size and direction."""
    arrays = _keep_points(arrays, keep)
    arrays["Points"] = _deform(arrays["Points"], draw)
    point_data = arrays["PointData"]
    if "Normals" in point_data:
        point_data["Normals"] = point_data["Normals"] @ draw["rotation"].T
    if "WallShearStress" in point_data:
        stress = point_data["WallShearStress"]
        point_data["WallShearStress"] = (stress / draw["scale"] ** 3).astype(stress.dtype)
    if "MaximumInscribedSphereRadius" in point_data:
        point_data["MaximumInscribedSphereRadius"] = point_data["MaximumInscribedSphereRadius"] * draw["scale"]
    return arrays


def sample_case(seed: int, kind: str = "surface") -> Dict[str, Any]:
    """One generated vessel as an ArrayDict (a surface or centerlines dict), the same for the same seed.

    Examples
    --------
    >>> first, second = sample_case(0), sample_case(1)
    >>> first["Points"].shape != second["Points"].shape
    True
    >>> sorted(sample_case(0, "centerlines")["PointData"])
    ['MaximumInscribedSphereRadius']
    """
    from ..convert.polydata import centerlines_to_dict, polydata_to_dict

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    draw = _draw(np.random.default_rng(seed))
    if kind == "surface":
        arrays = polydata_to_dict(sample_data.make_vessel_surface())
        per_station = sample_data.CIRCUMFERENTIAL_POINTS
    else:
        arrays = centerlines_to_dict(sample_data.make_centerlines())
        per_station = 1
    branch, station = _stations(len(arrays["Points"]), per_station)
    return _vary(arrays, station < draw["stations"][branch], draw)


def varied_case(arrays: Dict[str, Any], seed: int) -> Dict[str, Any]:
    """A variant of any surface or centerlines dict: bent, scaled, rotated, moved, and cut across its length.

    The cut keeps 75 % to all of the vessel along its longest principal axis.

    Examples
    --------
    >>> base = sample_case(0, "centerlines")
    >>> len(varied_case(base, 1)["Points"]) <= len(base["Points"])
    True
    """
    draw = _draw(np.random.default_rng(seed))
    _, _, _, along = _principal_frame(np.asarray(arrays["Points"], dtype=np.float64))
    cut = along.min() + draw["cut"] * (along.max() - along.min())
    return _vary(arrays, along <= cut, draw)


def write_sample_cohort(directory: PathLike, cases: int = 20, kind: str = "surface", seed: int = 0,
                        refine: int = 0, base: Optional[PathLike] = None) -> List[Path]:
    """Write ``cases`` generated vessels as VTK XML files ``case000.vtp``, ``case001.vtp``, ... in ``directory``.

    Parameters
    ----------
    directory : str or Path
        Created if needed.
    cases : int
        How many.
    kind : {"surface", "centerlines"}
        What each file holds.
    seed : int
        Case ``i`` is drawn with seed ``seed + i``.
    refine : int
        Surfaces only: split each triangle into four this many times (each
        level quadruples the cells), for cases of a realistic size.
    base : str or Path, optional
        A surface or centerlines file to make the cases from (each one
        :func:`varied_case` of it) instead of the sample vessel.

    Returns
    -------
    list of Path
    """
    from ..convert.polydata import centerlines_to_dict, dict_to_centerlines, dict_to_polydata, polydata_to_dict
    from ..vtkfiles import read_surface, write_surface

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(cases - 1)))
    paths = []
    for index in range(cases):
        if base is None:
            arrays = sample_case(seed + index, kind)
        else:
            to_dict = polydata_to_dict if kind == "surface" else centerlines_to_dict
            arrays = varied_case(to_dict(read_surface(base)), seed + index)
        polydata = dict_to_polydata(arrays) if kind == "surface" else dict_to_centerlines(arrays)
        if refine and kind == "surface":
            polydata = _refined(polydata, refine)
        path = directory / f"case{index:0{width}d}.vtp"
        write_surface(polydata, path)
        paths.append(path)
    return paths


def _refined(polydata: Any, levels: int) -> Any:
    from vtkmodules.vtkFiltersModeling import vtkLinearSubdivisionFilter

    subdivision = vtkLinearSubdivisionFilter()
    subdivision.SetInputData(polydata)
    subdivision.SetNumberOfSubdivisions(levels)
    subdivision.Update()
    return subdivision.GetOutput()
