"""Small synthetic vessel data, made by code: a Y bifurcation, its centerlines and an image of it.

Everything is computed with vectorized numpy from one description of three
branches (a parent tube and two daughters, each tapering linearly), so the
three objects agree with each other:

- :func:`make_vessel_surface`: the three tubes as one triangulated
  ``vtkPolyData`` (open ends, not watertight) with point data
  ``WallShearStress`` (float32) and ``Normals`` (float64, 3 components, the
  active normals) and cell data ``GroupIds`` (int32, the branch of each triangle);
- :func:`make_centerlines`: one polyline per branch with point data
  ``MaximumInscribedSphereRadius`` (float64, the tube's radius there) and cell
  data ``CenterlineIds`` and ``GroupIds`` (int32), as vmtk's branch-split
  centerlines name them;
- :func:`make_mesh`: the vessel wall (a thickness of 15 % of the radius) as
  one layer of hexahedra, a ``vtkUnstructuredGrid`` with point data
  ``Displacement`` (float64, 3 components) and cell data ``CellEntityIds``
  (int32: 1 parent, 2 and 3 daughters), as vmtk's meshes name them;
- :func:`make_image`: a 24 x 20 x 16 float32 image ``SignedDistance`` of each
  voxel to the vessel wall (negative inside), with non-unit spacing, a
  non-zero origin and direction diag(-1, -1, 1), as a CT volume read by vmtk has.

:func:`write_sample_data` writes them as ``vessel.vtp``, ``centerlines.vtp``,
``mesh.vtu`` and ``image.vti`` (VTK XML keeps the image's direction matrix), and
:func:`tutorial_data` gives the tutorials their input files (vmtk's test data when
it is there, else these) and a folder for what they write.

Examples
--------
>>> from vmtkscripts_numpy.sample_data import make_vessel_surface, make_centerlines, make_image
>>> make_vessel_surface().GetNumberOfCells()
1800
>>> make_centerlines().GetNumberOfCells()
3
>>> make_mesh().GetNumberOfCells()
900
>>> make_image().GetDimensions()
(24, 20, 16)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

import numpy as np
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import VTK_HEXAHEDRON, vtkImageData, vtkPolyData, vtkUnstructuredGrid

from ._typing import PathLike
from .convert.arrays import numpy_to_vtk, vtk_to_numpy
from .convert.cells import numpy_to_cell_array


class Branch(NamedTuple):
    """A straight tube from ``start`` to ``end`` whose radius goes linearly from ``radii[0]`` to ``radii[1]``."""

    start: tuple
    end: tuple
    radii: tuple
    centerline_id: int


#: Parent, right daughter, left daughter (the left one leaves the x-z plane).
BRANCHES = (
    Branch((0.0, 0.0, 0.0), (0.0, 0.0, 10.0), (2.0, 1.8), 0),
    Branch((0.0, 0.0, 10.0), (6.0, 0.0, 18.0), (1.4, 1.2), 0),
    Branch((0.0, 0.0, 10.0), (-5.0, 1.0, 17.0), (1.3, 1.1), 1),
)
#: Stations along each branch and points around each station.
AXIAL_STATIONS = 16
CIRCUMFERENTIAL_POINTS = 20

#: The image grid: dimensions, spacing, origin and direction (x and y mirrored, as in CT data).
IMAGE_DIMENSIONS = (24, 20, 16)
IMAGE_SPACING = (0.75, 0.3, 1.4)
IMAGE_ORIGIN = (8.5, 2.9, -1.5)
IMAGE_DIRECTION = np.diag([-1.0, -1.0, 1.0])

#: File names written by :func:`write_sample_data`.
FILE_NAMES = {"surface": "vessel.vtp", "centerlines": "centerlines.vtp", "mesh": "mesh.vtu", "image": "image.vti"}

#: vmtk's test data the tutorials use when it is there (vmtk's ``vmtk-test-data`` repository), by kind.
VMTK_TEST_FILES = {
    "surface": "aorta-surface-branch-split.vtp",
    "centerlines": "aorta-centerline.vtp",
    "image": "aorta.mha",
}
#: The environment variables :func:`tutorial_data` reads: vmtk's test data folder, and the output folder.
DATA_VARIABLE = "VMTKNUMPY_TUTORIAL_DATA"
OUTPUT_VARIABLE = "VMTKNUMPY_TUTORIAL_OUTPUT"

#: Wall thickness of :func:`make_mesh`, as a fraction of the lumen radius.
WALL_THICKNESS = 0.15


def _frame(branch: Branch):
    """Axis start, unit axis, length and two unit vectors completing a right-handed frame."""
    start, end = np.asarray(branch.start), np.asarray(branch.end)
    length = float(np.linalg.norm(end - start))
    axis = (end - start) / length
    helper = np.array([0.0, 1.0, 0.0]) if abs(axis[1]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = np.cross(helper, axis)
    u /= np.linalg.norm(u)
    v = np.cross(axis, u)
    return start, axis, length, u, v


def _stations(branch: Branch):
    """Axial fractions (0..1) and radii at each station."""
    fractions = np.linspace(0.0, 1.0, AXIAL_STATIONS)
    radii = branch.radii[0] + (branch.radii[1] - branch.radii[0]) * fractions
    return fractions, radii


def _polydata(points: np.ndarray, offsets: np.ndarray, connectivity: np.ndarray, lines: bool) -> vtkPolyData:
    polydata = vtkPolyData()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(points, share=False))
    polydata.SetPoints(vtk_points)
    cells = numpy_to_cell_array(offsets.astype(np.int64), connectivity.astype(np.int64), share=False)
    polydata.SetLines(cells) if lines else polydata.SetPolys(cells)
    return polydata


def _array(values: np.ndarray, name: str):
    return numpy_to_vtk(values, name, share=False)


def make_vessel_surface() -> vtkPolyData:
    """The Y bifurcation as one triangulated surface (three open tubes).

    Returns
    -------
    vtkPolyData
        960 float64 points, 1800 triangles with outward normals; point data
        ``WallShearStress`` (float32) and ``Normals`` (float64 x 3, active
        normals); cell data ``GroupIds`` (int32: 0 parent, 1 and 2 daughters).

    Examples
    --------
    >>> surface = make_vessel_surface()
    >>> surface.GetNumberOfPoints(), surface.GetCellData().GetArray("GroupIds").GetDataTypeAsString()
    (960, 'int')
    """
    angles = np.linspace(0.0, 2.0 * np.pi, CIRCUMFERENTIAL_POINTS, endpoint=False)
    points: List[np.ndarray] = []
    normals: List[np.ndarray] = []
    stress: List[np.ndarray] = []
    for branch in BRANCHES:
        start, axis, length, u, v = _frame(branch)
        fractions, radii = _stations(branch)
        # (stations, angles, 3): outward unit vectors around the axis.
        outward = np.cos(angles)[None, :, None] * u + np.sin(angles)[None, :, None] * v
        outward = np.broadcast_to(outward, (AXIAL_STATIONS, CIRCUMFERENTIAL_POINTS, 3))
        centres = start + (fractions * length)[:, None] * axis
        points.append((centres[:, None, :] + radii[:, None, None] * outward).reshape(-1, 3))
        normals.append(outward.reshape(-1, 3))
        # Poiseuille-like: stress grows as the radius shrinks, with a mild circumferential pattern.
        pattern = (1.0 + 0.1 * np.sin(angles))[None, :] / radii[:, None] ** 3
        stress.append(pattern.reshape(-1))
    per_branch = AXIAL_STATIONS * CIRCUMFERENTIAL_POINTS
    # Two triangles per quad (station s, angle c) - (s+1, c+1), counter-clockwise seen from outside.
    s, c = np.meshgrid(np.arange(AXIAL_STATIONS - 1), np.arange(CIRCUMFERENTIAL_POINTS), indexing="ij")
    p00 = s * CIRCUMFERENTIAL_POINTS + c
    p01 = s * CIRCUMFERENTIAL_POINTS + (c + 1) % CIRCUMFERENTIAL_POINTS
    p10, p11 = p00 + CIRCUMFERENTIAL_POINTS, p01 + CIRCUMFERENTIAL_POINTS
    quads = np.stack([p00, p01, p11, p00, p11, p10], axis=-1).reshape(-1, 3)
    triangles = np.concatenate([quads + b * per_branch for b in range(len(BRANCHES))])
    offsets = np.arange(0, 3 * len(triangles) + 1, 3)
    surface = _polydata(np.concatenate(points), offsets, triangles.reshape(-1), lines=False)
    surface.GetPointData().AddArray(_array(np.concatenate(stress).astype(np.float32), "WallShearStress"))
    surface.GetPointData().SetNormals(_array(np.concatenate(normals), "Normals"))
    groups = np.repeat(np.arange(len(BRANCHES), dtype=np.int32), len(quads))
    surface.GetCellData().AddArray(_array(groups, "GroupIds"))
    return surface


def make_centerlines() -> vtkPolyData:
    """The centerline of each branch as a polyline, with vmtk's radius and id arrays.

    Returns
    -------
    vtkPolyData
        48 float64 points in 3 polylines (parent first); point data
        ``MaximumInscribedSphereRadius`` (float64); cell data
        ``CenterlineIds`` ([0, 0, 1]) and ``GroupIds`` ([0, 1, 2]), int32.

    Examples
    --------
    >>> centerlines = make_centerlines()
    >>> centerlines.GetNumberOfPoints(), centerlines.GetNumberOfLines()
    (48, 3)
    """
    points, radii = [], []
    for branch in BRANCHES:
        start, axis, length, _, _ = _frame(branch)
        fractions, branch_radii = _stations(branch)
        points.append(start + (fractions * length)[:, None] * axis)
        radii.append(branch_radii)
    offsets = np.arange(0, AXIAL_STATIONS * len(BRANCHES) + 1, AXIAL_STATIONS)
    connectivity = np.arange(AXIAL_STATIONS * len(BRANCHES))
    centerlines = _polydata(np.concatenate(points), offsets, connectivity, lines=True)
    centerlines.GetPointData().AddArray(_array(np.concatenate(radii), "MaximumInscribedSphereRadius"))
    centerlines.GetCellData().AddArray(
        _array(np.array([b.centerline_id for b in BRANCHES], dtype=np.int32), "CenterlineIds")
    )
    centerlines.GetCellData().AddArray(_array(np.arange(len(BRANCHES), dtype=np.int32), "GroupIds"))
    return centerlines


def make_mesh() -> vtkUnstructuredGrid:
    """The vessel wall of the Y bifurcation as one layer of hexahedra.

    Returns
    -------
    vtkUnstructuredGrid
        1920 float64 points (the lumen surface's points and the same points
        pushed outwards by the wall thickness), 900 hexahedra; point data
        ``Displacement`` (float64 x 3, a small outward motion growing along
        each branch) and cell data ``CellEntityIds`` (int32: 1 parent, 2 and 3
        daughters).

    Examples
    --------
    >>> mesh = make_mesh()
    >>> mesh.GetNumberOfPoints(), mesh.GetCellType(0)
    (1920, 12)
    """
    lumen = make_vessel_surface()
    inner = _points_of(lumen)
    normals = _values_of(lumen.GetPointData().GetNormals())
    radii = np.concatenate([np.repeat(_stations(branch)[1], CIRCUMFERENTIAL_POINTS) for branch in BRANCHES])
    outer = inner + (WALL_THICKNESS * radii)[:, None] * normals
    per_branch = AXIAL_STATIONS * CIRCUMFERENTIAL_POINTS
    # Each lumen quad (two triangles of the surface) and its outward copy make one hexahedron.
    s, c = np.meshgrid(np.arange(AXIAL_STATIONS - 1), np.arange(CIRCUMFERENTIAL_POINTS), indexing="ij")
    p00 = s * CIRCUMFERENTIAL_POINTS + c
    p01 = s * CIRCUMFERENTIAL_POINTS + (c + 1) % CIRCUMFERENTIAL_POINTS
    bottom = np.stack([p00, p01, p01 + CIRCUMFERENTIAL_POINTS, p00 + CIRCUMFERENTIAL_POINTS], axis=-1).reshape(-1, 4)
    bottom = np.concatenate([bottom + b * per_branch for b in range(len(BRANCHES))])
    hexahedra = np.concatenate([bottom, bottom + len(inner)], axis=1)

    mesh = vtkUnstructuredGrid()
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.concatenate([inner, outer]), share=False))
    mesh.SetPoints(vtk_points)
    cells = numpy_to_cell_array(
        np.arange(0, hexahedra.size + 1, 8, dtype=np.int64), hexahedra.reshape(-1).astype(np.int64), share=False
    )
    mesh.SetCells(VTK_HEXAHEDRON, cells)
    fractions = np.tile(np.repeat(_stations(BRANCHES[0])[0], CIRCUMFERENTIAL_POINTS), 2 * len(BRANCHES))
    displacement = 0.05 * fractions[:, None] * np.concatenate([normals, normals])
    mesh.GetPointData().AddArray(_array(displacement, "Displacement"))
    entity_ids = np.repeat(np.arange(1, len(BRANCHES) + 1, dtype=np.int32), len(hexahedra) // len(BRANCHES))
    mesh.GetCellData().AddArray(_array(entity_ids, "CellEntityIds"))
    return mesh


def _points_of(dataset) -> np.ndarray:
    return _values_of(dataset.GetPoints().GetData())


def _values_of(array) -> np.ndarray:
    return vtk_to_numpy(array)


def signed_distance(points: np.ndarray) -> np.ndarray:
    """Distance of ``points`` (N, 3) to the vessel wall: negative inside the tubes, float64 (N,)."""
    distances = []
    for branch in BRANCHES:
        start, axis, length, _, _ = _frame(branch)
        fraction = np.clip((points - start) @ axis / length, 0.0, 1.0)
        closest = start + (fraction * length)[:, None] * axis
        radius = branch.radii[0] + (branch.radii[1] - branch.radii[0]) * fraction
        distances.append(np.linalg.norm(points - closest, axis=1) - radius)
    return np.min(distances, axis=0)


def make_image() -> vtkImageData:
    """A small image of the vessel: signed distance to the wall on a mirrored, anisotropic grid.

    Returns
    -------
    vtkImageData
        24 x 20 x 16 voxels, spacing (0.75, 0.3, 1.4), origin (8.5, 2.9, -1.5),
        direction diag(-1, -1, 1); float32 point data ``SignedDistance``
        (the active scalars), negative inside the vessel.

    Examples
    --------
    >>> image = make_image()
    >>> image.GetSpacing(), image.GetPointData().GetScalars().GetName()
    ((0.75, 0.3, 1.4), 'SignedDistance')
    """
    image = vtkImageData()
    image.SetDimensions(*IMAGE_DIMENSIONS)
    image.SetSpacing(*IMAGE_SPACING)
    image.SetOrigin(*IMAGE_ORIGIN)
    image.SetDirectionMatrix(*IMAGE_DIRECTION.ravel())
    # Indices in VTK's order (x fastest), then their physical positions.
    k, j, i = np.meshgrid(*(np.arange(n) for n in IMAGE_DIMENSIONS[::-1]), indexing="ij")
    indices = np.stack([i.ravel(), j.ravel(), k.ravel()], axis=1).astype(np.float64)
    positions = np.asarray(IMAGE_ORIGIN) + (indices * IMAGE_SPACING) @ IMAGE_DIRECTION.T
    image.GetPointData().SetScalars(_array(signed_distance(positions).astype(np.float32), "SignedDistance"))
    return image


def write_sample_data(directory: PathLike) -> Dict[str, Path]:
    """Write the sample surface, centerlines and image into ``directory`` (created if needed).

    Returns
    -------
    dict
        ``{"surface": .../vessel.vtp, "centerlines": .../centerlines.vtp, "mesh": .../mesh.vtu,
        "image": .../image.vti}``

    Examples
    --------
    >>> import tempfile
    >>> paths = write_sample_data(tempfile.mkdtemp())
    >>> sorted(path.name for path in paths.values())
    ['centerlines.vtp', 'image.vti', 'mesh.vtu', 'vessel.vtp']
    """
    from .vtkfiles import write_image, write_mesh, write_surface

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {kind: directory / name for kind, name in FILE_NAMES.items()}
    write_surface(make_vessel_surface(), paths["surface"])
    write_surface(make_centerlines(), paths["centerlines"])
    write_mesh(make_mesh(), paths["mesh"])
    write_image(make_image(), paths["image"])
    return paths


class TutorialData(NamedTuple):
    """The files a tutorial reads, the point data array it shows, and the folder it writes into."""

    #: Input files by kind: ``"surface"``, ``"centerlines"`` and ``"image"`` (and ``"mesh"`` for generated data).
    files: Dict[str, Path]
    #: The surface's point data array the tutorials show: ``"ClippingArray"`` (vmtk's) or ``"WallShearStress"``.
    scalars: str
    #: Where the tutorial writes.
    output: Path

    @property
    def from_vmtk(self) -> bool:
        """Whether the files are vmtk's test data (else generated sample data)."""
        return self.scalars == "ClippingArray"

    def __str__(self) -> str:
        source = "vmtk's test data" if self.from_vmtk else "generated sample data"
        lines = [f"{'data':12} {source}, point data {self.scalars!r}"]
        lines += [f"{kind:12} {path}" for kind, path in self.files.items()]
        return "\n".join(lines + [f"{'outputs':12} {self.output}"])


def tutorial_data(output: Optional[PathLike] = None, vmtk_data: Optional[PathLike] = None) -> TutorialData:
    """The data a tutorial notebook runs on, and the folder it writes into.

    vmtk's test data (an aorta surface split into branches, its centerlines and
    a CT image, :data:`VMTK_TEST_FILES`) when all three files are in
    ``vmtk_data``; otherwise the sample vessel, written by
    :func:`write_sample_data` into ``output / "sample"``.

    Parameters
    ----------
    output : str or Path, optional
        The folder the tutorial writes into (created if needed). By default the
        folder named by the environment variable ``VMTKNUMPY_TUTORIAL_OUTPUT``,
        else a new temporary folder.
    vmtk_data : str or Path, optional
        vmtk's test data folder. By default the folder named by
        ``VMTKNUMPY_TUTORIAL_DATA``, else ``shared/vmtk-test-data`` beside the
        project's folder (where a clone of the project finds it).

    Returns
    -------
    TutorialData
        ``(files, scalars, output)``; printing it says which data it is.

    Examples
    --------
    >>> import tempfile
    >>> files, scalars, output = tutorial_data(tempfile.mkdtemp(), vmtk_data="no-such-folder")
    >>> sorted(files), scalars, files["surface"].parent == output / "sample"
    (['centerlines', 'image', 'mesh', 'surface'], 'WallShearStress', True)
    """
    if output is None:
        output = os.environ.get(OUTPUT_VARIABLE) or tempfile.mkdtemp(prefix="vmtknumpy-tutorial-")
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    if vmtk_data is None:
        project = Path(__file__).resolve().parents[1]
        vmtk_data = os.environ.get(DATA_VARIABLE) or project.parent / "shared" / "vmtk-test-data"
    vmtk_files = {kind: Path(vmtk_data) / name for kind, name in VMTK_TEST_FILES.items()}
    if all(path.is_file() for path in vmtk_files.values()):
        return TutorialData(vmtk_files, "ClippingArray", output)
    return TutorialData(write_sample_data(output / "sample"), "WallShearStress", output)
