"""Files both ways: what vmtk's vmtknumpywriter writes loads here; vmtk's vmtknumpyreader loads this package's pickles.

Found by running vmtk 1.5.2 with h5py 3:

- vmtk's reader cannot read any HDF5 file, not even its own: it reads each dataset with
  ``Dataset.value``, which h5py 3 removed. Pickle is therefore the format that goes back to vmtk;
- vmtk's writer still writes both formats, and this package reads both;
- vmtk's mesh pickles hold VTK's ``dataset_adapter.VTKArray``; this package loads them as plain arrays
  without importing VTK's adapter (see tests/storage/test_pickle.py).
"""

import h5py
import numpy as np
import pytest

from vmtkscripts_numpy import (
    centerlines_to_dict,
    dict_to_centerlines,
    dict_to_mesh,
    dict_to_polydata,
    image_to_dict,
    mesh_to_dict,
    polydata_to_dict,
    read_array_dict,
    read_image,
    read_mesh,
    read_surface,
    write_array_dict,
)

#: The files vmtk's numpy scripts wrote (../shared/upstream-files/README.md), by what they were written from.
VMTK_FILES = {
    "upstream-aorta-surface.pickle": ("vmtk-test-data", "aorta-surface.vtp"),
    "upstream-aorta-surface.hdf5": ("vmtk-test-data", "aorta-surface.vtp"),
    "upstream-aorta-centerline-branches.pickle": ("vmtk-test-data", "aorta-centerline-branches.vtp"),
    "upstream-aorta-centerline-branches.hdf5": ("vmtk-test-data", "aorta-centerline-branches.vtp"),
    "upstream-twelve-line-centerlines.pickle": ("upstream-files", "twelve-line-centerlines.vtp"),
    "upstream-twelve-line-centerlines.hdf5": ("upstream-files", "twelve-line-centerlines.vtp"),
    "upstream-tetra-mesh.pickle": ("upstream-files", "tetra-mesh.vtu"),
    "upstream-vase-image.pickle": ("vmtk-test-data", "vase.vti"),
    "upstream-vase-image.hdf5": ("vmtk-test-data", "vase.vti"),
}
#: Each kind of dict: vmtk's script that makes it, the member it reads, and this package's converters.
KINDS = {
    "surface": ("vmtkSurfaceToNumpy", "Surface", read_surface, polydata_to_dict, dict_to_polydata),
    "centerlines": ("vmtkCenterlinesToNumpy", "Centerlines", read_surface, centerlines_to_dict, dict_to_centerlines),
    "mesh": ("vmtkMeshToNumpy", "Mesh", read_mesh, mesh_to_dict, dict_to_mesh),
}
#: A file of each kind to write: twelve lines, so that a list of ids has items "10" and "11" in HDF5.
SOURCES = {
    "surface": ("vmtk-test-data", "aorta-surface.vtp"),
    "centerlines": ("upstream-files", "twelve-line-centerlines.vtp"),
    "mesh": ("upstream-files", "tetra-mesh.vtu"),
}


@pytest.fixture
def shared_file(vmtk_test_data, upstream_file):
    """``shared_file(("vmtk-test-data", name))``: the path of a shared file, or a skip."""
    folders = {"vmtk-test-data": vmtk_test_data, "upstream-files": upstream_file}
    return lambda where: folders[where[0]](where[1])


def kind_of(name):
    return "mesh" if "mesh" in name else "centerlines" if "centerline" in name else "surface"


def vtk_arrays_in(vmtks_mesh_dict):
    """vmtk's mesh dicts hold VTK's VTKArray as data arrays: the differences they make, in ``compare``'s words."""
    return {f"{section}/{name}": "type: vmtk VTKArray, ours ndarray"
            for section in ("PointData", "CellData") for name in vmtks_mesh_dict.get(section, {})}


def test_every_surface_and_centerline_file_of_vmtks_test_data_is_compared(vmtk_test_data, compared_files):
    folder = vmtk_test_data("README.md").parent

    polydata = {path.name for pattern in ("*.vtp", "*.stl") for path in folder.glob(pattern)}

    assert polydata - compared_files == set()


# --- what vmtk wrote, here -------------------------------------------------------------------------


def test_every_numpy_file_vmtk_wrote_is_tested(upstream_file):
    folder = upstream_file("README.md").parent

    assert sorted(path.name for path in folder.glob("upstream-*")) == sorted(VMTK_FILES)


@pytest.mark.parametrize("name", sorted(VMTK_FILES))
def test_every_file_vmtk_wrote_loads_as_vmtk_loads_its_pickle(name, upstream_file, run_vmtk, compare):
    ours = read_array_dict(upstream_file(name))

    # vmtk reads neither its HDF5 files (below) nor any file safely: its pickle twin, with pickle.load
    theirs = run_vmtk("vmtkNumpyReader", InputFileName=str(upstream_file(name.rsplit(".", 1)[0] + ".pickle"))).ArrayDict

    assert compare(theirs, ours) == (vtk_arrays_in(theirs) if "mesh" in name else {})


@pytest.mark.parametrize("name", sorted(name for name in VMTK_FILES if "image" not in name))
def test_vmtks_files_convert_back_to_what_they_were_written_from(name, upstream_file, shared_file, compare):
    _, _, read, to_dict, from_dict = KINDS[kind_of(name)]
    original = to_dict(read(shared_file(VMTK_FILES[name])))

    back = to_dict(from_dict(read_array_dict(upstream_file(name))))

    # vmtk's ids are int32 (and kept as given); its layout has no active attributes
    ids = {"surface": "CellData/CellPointIds", "centerlines": "CellData/CellPointIds/*"}.get(kind_of(name))
    expected = {ids: "dtype: vmtk int32, ours int64"} if ids else {}
    expected.update({f"ActiveArrays/{section}/{role}": "only in ours"
                     for section in ("PointData", "CellData") for role in original["ActiveArrays"][section]})
    assert compare(back, original) == expected


# --- this package's files, in vmtk ------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_vmtk_reads_this_packages_pickles(kind, shared_file, tmp_path, run_vmtk, compare):
    _, _, read, to_dict, _ = KINDS[kind]
    ours = to_dict(read(shared_file(SOURCES[kind])))
    write_array_dict(ours, tmp_path / f"{kind}.pickle")

    theirs = run_vmtk("vmtkNumpyReader", InputFileName=str(tmp_path / f"{kind}.pickle")).ArrayDict

    assert type(theirs) is dict
    assert compare(theirs, ours) == {}


def test_vmtk_reads_this_packages_pickles_of_arrays_that_are_not_contiguous(shared_file, tmp_path, run_vmtk):
    # A crop of a real CT and every other point of a surface: large views, written a block at a time.
    image = image_to_dict(read_image(shared_file(("vmtk-test-data", "aorta.mha"))))
    volume = next(iter(image["PointData"].values()))[20:-20, 10:-10, 5:-5]
    surface = polydata_to_dict(read_surface(shared_file(("vmtk-test-data", "aorta-surface.vtp"))))
    points = np.repeat(surface["Points"], 200, axis=0)[::2]
    write_array_dict({"Volume": volume, "Points": points}, tmp_path / "views.pickle")

    theirs = run_vmtk("vmtkNumpyReader", InputFileName=str(tmp_path / "views.pickle")).ArrayDict

    np.testing.assert_array_equal(theirs["Volume"], volume)
    assert theirs["Volume"].dtype == volume.dtype and theirs["Volume"].flags.f_contiguous  # x fastest, as vmtk's
    np.testing.assert_array_equal(theirs["Points"], points)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_vmtk_cannot_read_hdf5_with_h5py_3_so_pickle_is_the_way_back_to_vmtk(kind, shared_file, tmp_path, run_vmtk):
    _, _, read, to_dict, _ = KINDS[kind]
    write_array_dict(to_dict(read(shared_file(SOURCES[kind]))), tmp_path / f"{kind}.hdf5")
    assert int(h5py.__version__.split(".")[0]) >= 3

    with pytest.raises(AttributeError, match="'Dataset' object has no attribute 'value'"):
        run_vmtk("vmtkNumpyReader", InputFileName=str(tmp_path / f"{kind}.hdf5"))


@pytest.mark.parametrize("name", sorted(name for name in VMTK_FILES if name.endswith(".hdf5")))
def test_vmtk_cannot_read_its_own_hdf5_files_with_h5py_3(name, upstream_file, run_vmtk):
    with pytest.raises(AttributeError, match="'Dataset' object has no attribute 'value'"):
        run_vmtk("vmtkNumpyReader", InputFileName=str(upstream_file(name)))


# --- files vmtk writes now, here ----------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["pickle", "hdf5"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_this_package_reads_the_files_vmtks_writer_writes(kind, file_format, shared_file, tmp_path, run_vmtk, compare):
    script, member, read, _, _ = KINDS[kind]
    theirs = run_vmtk(script, **{member: read(shared_file(SOURCES[kind]))}).ArrayDict

    # vmtk's writer cuts the name at its last dot and adds its own extension
    run_vmtk("vmtkNumpyWriter", ArrayDict=theirs, OutputFileName=str(tmp_path / f"{kind}.out"), Format=file_format)
    loaded = read_array_dict(tmp_path / f"{kind}.{file_format}")

    assert compare(theirs, loaded) == (vtk_arrays_in(theirs) if kind == "mesh" else {})
    assert all(type(leaf) is np.ndarray for leaf in leaves(loaded))


def leaves(tree):
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in leaves(value)]
    if isinstance(tree, list):
        return [leaf for value in tree for leaf in leaves(value)]
    return [tree]
