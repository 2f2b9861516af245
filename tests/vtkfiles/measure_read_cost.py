"""What the checks of hostile files cost on normal reads: the package's read against VTK's reader alone.

Run from the project root::

    python -m tests.vtkfiles.measure_read_cost [--scale 1.0]

It writes a surface of about a million triangles, a mesh of about a million
tetrahedra and a 256^3 int16 image in every format the package reads, then
reads each three times with ``read_surface`` / ``read_mesh`` / ``read_image``
and with VTK's own reader for the format (no checks, no placement), and
prints the fastest time of each and their ratio. ``--scale`` shrinks or grows
the data (0.1 for a quick look).
"""

import argparse
import gzip
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def tube(scale):
    """A closed tube of triangles (about 10^6 at scale 1), float32 points, a point and a cell array."""
    from vmtkscripts_numpy.convert.polydata import dict_to_polydata

    around, along = max(int(1000 * scale ** 0.5), 8), max(int(500 * scale ** 0.5), 4)
    angle, height = np.meshgrid(np.linspace(0, 2 * np.pi, around, endpoint=False), np.linspace(0, 10, along))
    points = np.stack([np.cos(angle).ravel(), np.sin(angle).ravel(), height.ravel()], 1).astype(np.float32)
    i, j = np.meshgrid(np.arange(around), np.arange(along - 1))
    a, b = (j * around + i).ravel(), (j * around + (i + 1) % around).ravel()
    triangles = np.concatenate([np.stack([a, b, a + around], 1), np.stack([b, b + around, a + around], 1)])
    return dict_to_polydata({"Points": points, "PointData": {"Normals": points.copy()},
                             "CellData": {"CellPointIds": triangles, "Id": np.arange(len(triangles), dtype=np.int32)}})


def tetrahedra(scale):
    """Six tetrahedra per cube of a grid (about 10^6 at scale 1)."""
    from vmtkscripts_numpy.convert.mesh import dict_to_mesh

    n = max(int(55 * scale ** (1 / 3)), 2)
    grid = np.stack(np.meshgrid(*[np.arange(n + 1.0)] * 3, indexing="ij"), -1).reshape(-1, 3)
    index = lambda x, y, z: (x * (n + 1) + y) * (n + 1) + z  # noqa: E731
    x, y, z = (c.ravel() for c in np.meshgrid(*[np.arange(n)] * 3, indexing="ij"))
    corners = [index(x + dx, y + dy, z + dz) for dx, dy, dz in
               [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)]]
    split = [(0, 1, 2, 6), (0, 2, 3, 6), (0, 3, 7, 6), (0, 7, 4, 6), (0, 4, 5, 6), (0, 5, 1, 6)]
    cells = np.concatenate([np.stack([corners[k] for k in tet], 1) for tet in split])
    flat = np.concatenate([np.full((len(cells), 1), 4), cells], 1).ravel()
    return dict_to_mesh({"Points": grid, "PointData": {"T": grid[:, 2].copy()}, "Cells": {
        "CellPointIds": flat, "CellLocations": np.arange(len(cells)) * 5, "CellTypes": np.full(len(cells), 10)}})


def volume(scale):
    from vmtkscripts_numpy.convert.image import image_from_array

    n = max(int(256 * scale ** (1 / 3)), 4)
    return image_from_array((np.arange(n ** 3) % 3000).astype(np.int16).reshape(n, n, n))


def write_nrrd(path, image, encoding):
    from vmtkscripts_numpy.convert.arrays import vtk_to_numpy

    values = vtk_to_numpy(image.GetPointData().GetScalars()).astype("<i2").tobytes()
    nx, ny, nz = image.GetDimensions()
    header = (f"NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\nsizes: {nx} {ny} {nz}\n"
              "space directions: (1,0,0) (0,1,0) (0,0,1)\nspace origin: (0,0,0)\nendian: little\n"
              f"encoding: {encoding}\n\n")
    path.write_bytes(header.encode() + (gzip.compress(values, 1) if encoding == "gzip" else values))


def vtk_reader(extension, kind):
    import vtkmodules.vtkIOGeometry as geometry
    import vtkmodules.vtkIOHDF as hdf
    import vtkmodules.vtkIOImage as image
    import vtkmodules.vtkIOLegacy as legacy
    import vtkmodules.vtkIOPLY as ply
    import vtkmodules.vtkIOXML as xml

    return {
        ".vtp": xml.vtkXMLPolyDataReader, ".vtu": xml.vtkXMLUnstructuredGridReader, ".vti": xml.vtkXMLImageDataReader,
        ".vtk": {"surface": legacy.vtkPolyDataReader, "mesh": legacy.vtkUnstructuredGridReader,
                 "image": legacy.vtkStructuredPointsReader}[kind],
        ".ply": ply.vtkPLYReader, ".stl": geometry.vtkSTLReader, ".vtkhdf": hdf.vtkHDFReader,
        ".nii": image.vtkNIFTIImageReader, ".gz": image.vtkNIFTIImageReader, ".nrrd": image.vtkNrrdReader,
        ".mha": image.vtkMetaImageReader,
    }[extension]


def fastest(function, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    import vmtkscripts_numpy as vn
    from vmtkscripts_numpy.errors import DataFileError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    scale = parser.parse_args().scale
    data = {"surface": tube(scale), "mesh": tetrahedra(scale), "image": volume(scale)}
    names = {"surface": ["s.vtp", "s.vtk", "s.ply", "s.stl", "s.vtkhdf"], "mesh": ["m.vtu", "m.vtk", "m.vtkhdf"],
             "image": ["i.vti", "i.vtk", "i.nii", "i.nii.gz", "i.mha", "raw.nrrd", "gzip.nrrd", "i.vtkhdf"]}
    writers = {"surface": vn.write_surface, "mesh": vn.write_mesh, "image": vn.write_image}
    readers = {"surface": vn.read_surface, "mesh": vn.read_mesh, "image": vn.read_image}
    print(f"{'file':<12}{'size':>10}{'package':>11}{'VTK alone':>11}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kind, files in names.items():
            for name in files:
                path = Path(folder) / name
                try:
                    if name.endswith(".nrrd"):
                        write_nrrd(path, data[kind], name.split(".")[0])
                    else:
                        writers[kind](data[kind], path)
                except DataFileError as error:  # a VTK without this writer
                    print(f"{name:<12} not written by this VTK: {error.problem}")
                    continue

                def bare():
                    reader = vtk_reader(path.suffix, kind)()
                    reader.SetFileName(str(path))
                    reader.Update()

                package = fastest(lambda: readers[kind](path))
                alone = fastest(bare)
                print(f"{name:<12}{path.stat().st_size / 1e6:>8.1f}MB{package * 1e3:>9.1f}ms{alone * 1e3:>9.1f}ms"
                      f"{package / alone:>8.2f}")


if __name__ == "__main__":
    main()
