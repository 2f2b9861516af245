"""Every format gives a dict's keys back in the order they were written, at every depth.

Order matters to vmtk: its vmtknumpytocenterlines reads ``CellData`` in order
and drops every cell array before ``CellPointIds``. HDF5 lists a group's
members by name unless the group keeps their creation order: the package's
files keep it, and files that do not (vmtk's, plain h5py's) read in name order.
"""

import h5py
import numpy as np
import pytest

from vmtkscripts_numpy import storage

FORMATS = ("pickle", "hdf5", "npz")


def against_the_alphabet():
    """Keys in an order that is neither alphabetical nor reversed, in nested dicts and beside a list."""
    return {
        "Points": np.zeros((3, 3)),
        "PointData": {"Pressure": np.zeros(3), "Area": np.ones(3), "Velocity": np.ones((3, 3))},
        "CellData": {"CellPointIds": [np.arange(3), np.arange(2)], "GroupIds": np.zeros(2), "Blanking": np.ones(2)},
        "Zebra": {"b": {"z": np.zeros(1), "a": np.zeros(1)}, "a": np.zeros(1)},
        "Alpha": np.zeros(2),
    }


def key_orders(tree, path=()):
    """{path: [keys]} of every dict in ``tree``."""
    orders = {}
    if isinstance(tree, dict):
        orders[path] = list(tree)
        for key, value in tree.items():
            orders.update(key_orders(value, path + (key,)))
    return orders


@pytest.mark.parametrize("format_name", FORMATS)
def test_keys_come_back_in_the_order_they_were_written(tmp_path, format_name):
    written = against_the_alphabet()

    back = storage.read(storage.write(written, tmp_path / "ordered", format=format_name))

    assert key_orders(back) == key_orders(written)


def test_hdf5_groups_keep_their_creation_order_in_the_file(tmp_path):
    path = storage.write(against_the_alphabet(), tmp_path / "ordered.h5")

    with h5py.File(path, "r") as h5file:
        for group in (h5file["/"], h5file["CellData"], h5file["Zebra/b"]):
            assert group.id.get_create_plist().get_link_creation_order() & h5py.h5p.CRT_ORDER_TRACKED


def test_hdf5_groups_without_creation_order_read_in_name_order(tmp_path):
    # As vmtk's vmtknumpywriter and plain h5py write them.
    path = tmp_path / "by-name.h5"
    with h5py.File(path, "w") as h5file:
        for name in ("Points", "CellData/GroupIds", "CellData/CellPointIds/0", "CellData/Blanking"):
            h5file[name] = np.zeros(3)

    back = storage.read(path)

    assert list(back) == ["CellData", "Points"]
    assert list(back["CellData"]) == ["Blanking", "CellPointIds", "GroupIds"]
