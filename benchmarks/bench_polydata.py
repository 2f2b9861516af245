"""Time surface and mesh conversions on a million cells, both ways, with and without copies.

Run from the project root: ``python benchmarks/bench_polydata.py [--cells 1000000]``.
Prints the best of several runs for each conversion, in milliseconds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from vmtkscripts_numpy.convert.mesh import dict_to_mesh, mesh_to_dict
from vmtkscripts_numpy.convert.polydata import dict_to_polydata, polydata_to_dict


def best_ms(function, *arguments, repeat=7, **options):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(*arguments, **options)
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def triangle_surface(cells: int, seed: int = 0) -> dict:
    """A surface dict of ``cells`` triangles on about cells/2 float32 points, with point and cell data."""
    rng = np.random.default_rng(seed)
    points = cells // 2 + 2
    return {
        "Points": rng.random((points, 3), dtype=np.float32),
        "PointData": {"Normals": rng.random((points, 3), dtype=np.float32), "Scalars": rng.random(points)},
        "CellData": {"CellPointIds": rng.integers(0, points, (cells, 3)), "GroupIds": np.zeros(cells, np.int32)},
    }


def tetra_mesh(cells: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    points = cells // 4 + 4
    connectivity = rng.integers(0, points, (cells, 4))
    flat = np.hstack([np.full((cells, 1), 4), connectivity]).ravel()
    return {
        "Points": rng.random((points, 3)),
        "Cells": {
            "CellPointIds": flat,
            "CellLocations": np.arange(cells, dtype=np.int64) * 5,
            "CellTypes": np.full(cells, 10, np.uint8),
        },
        "CellData": {"CellEntityIds": np.ones(cells, np.int32)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1_000_000)
    cells = parser.parse_args().cells

    surface_dict = triangle_surface(cells)
    surface = dict_to_polydata(surface_dict)
    print(f"surface: {cells} triangles, {len(surface_dict['Points'])} float32 points")
    print(f"  dict -> vtkPolyData, shared memory  {best_ms(dict_to_polydata, surface_dict):8.1f} ms")
    print(f"  dict -> vtkPolyData, copies         {best_ms(dict_to_polydata, surface_dict, share=False):8.1f} ms")
    print(f"  vtkPolyData -> dict, copies         {best_ms(polydata_to_dict, surface):8.1f} ms")
    print(f"  vtkPolyData -> dict, views          {best_ms(polydata_to_dict, surface, copy=False):8.1f} ms")
    with_types = polydata_to_dict(surface)
    print(f"  dict with CellTypes -> vtkPolyData  {best_ms(dict_to_polydata, with_types):8.1f} ms")

    mesh_dict = tetra_mesh(cells)
    mesh = dict_to_mesh(mesh_dict)
    print(f"mesh: {cells} tetrahedra")
    print(f"  dict -> vtkUnstructuredGrid         {best_ms(dict_to_mesh, mesh_dict):8.1f} ms")
    print(f"  vtkUnstructuredGrid -> dict, copies {best_ms(mesh_to_dict, mesh):8.1f} ms")
    print(f"  vtkUnstructuredGrid -> dict, views  {best_ms(mesh_to_dict, mesh, copy=False):8.1f} ms")


if __name__ == "__main__":
    main()
