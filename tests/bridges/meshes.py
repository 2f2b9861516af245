"""A small mesh with cells of several types (and a wedge, which meshio numbers differently), with data."""

import numpy as np


def mixed_mesh_dict():
    """Tetra, wedge, hexahedron, triangle, another tetra and a quad, with point, cell and field data."""
    rng = np.random.default_rng(11)
    points = rng.normal(scale=20.0, size=(20, 3)) + [100.0, -50.0, 30.0]
    cells = [
        (10, [0, 1, 2, 3]),
        (13, [4, 5, 6, 7, 8, 9]),
        (12, [10, 11, 12, 13, 14, 15, 16, 17]),
        (5, [17, 18, 19]),
        (10, [3, 4, 5, 6]),
        (9, [0, 5, 10, 15]),
    ]
    flat = np.concatenate([[len(ids)] + ids for _, ids in cells]).astype(np.int64)
    locations = np.concatenate([[0], np.cumsum([len(ids) + 1 for _, ids in cells])[:-1]]).astype(np.int64)
    return {
        "Points": points,
        "PointData": {"Pressure": rng.normal(size=20), "Velocity": rng.normal(size=(20, 3)).astype(np.float32)},
        "CellData": {"Region": np.arange(len(cells), dtype=np.int32) * 10},
        "Cells": {
            "CellPointIds": flat,
            "CellLocations": locations,
            "CellTypes": np.array([cell_type for cell_type, _ in cells], np.uint8),
        },
        "FieldData": {"Scale": np.array([2.5])},
    }
