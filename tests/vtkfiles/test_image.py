"""Image files: every voxel keeps its physical position through every format that can say where it is."""

import gzip
import struct
import warnings

import numpy as np
import pytest
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy

from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.errors import DataFileError, LossWarning
from vmtkscripts_numpy.sample_data import make_image, make_vessel_surface
from vmtkscripts_numpy.vtkfiles import read_image, write_image, write_surface


def placement(image):
    direction = [image.GetDirectionMatrix().GetElement(i, j) for i in range(3) for j in range(3)]
    return image.GetExtent(), image.GetOrigin(), image.GetSpacing(), tuple(direction)


def add_array(image, name, values, cells=False):
    array = numpy_to_vtk(values, deep=True)
    array.SetName(name)
    (image.GetCellData() if cells else image.GetPointData()).AddArray(array)


def mirrored(matrix):
    return matrix @ np.diag([1.0, 1.0, -1.0])


DIRECTIONS = {
    "rotation": lambda tools: tools.rotation(),
    "mirrored rotation": lambda tools: mirrored(tools.rotation()),
    "ct": lambda tools: np.diag([-1.0, -1.0, 1.0]),
}


#: vtkHDFWriter writes images from VTK 9.7 on.
WRITES_VTKHDF_IMAGES = vtk_at_least(9, 7)


def vtkhdf_file(path, kind="ImageData", values=None):
    """A small VTKHDF file of ``kind`` as the VTKHDF specification lays it out, written with h5py (any VTK)."""
    import h5py

    with h5py.File(path, "w") as handle:
        root = handle.create_group("VTKHDF")
        root.attrs["Version"] = (1, 0)
        root.attrs.create("Type", np.bytes_(kind))
        if kind == "ImageData":
            values = np.arange(24, dtype=np.int16).reshape(2, 3, 4) if values is None else values
            nz, ny, nx = values.shape
            root.attrs["WholeExtent"] = (0, nx - 1, 0, ny - 1, 0, nz - 1)
            root.attrs["Origin"], root.attrs["Spacing"] = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
            root.attrs["Direction"] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
            root.create_group("PointData").create_dataset("Values", data=values)
        else:
            root.create_dataset("NumberOfPoints", data=[0])
    return path


@pytest.mark.skipif(WRITES_VTKHDF_IMAGES, reason="this VTK writes VTKHDF images")
def test_before_vtk_9_7_writing_a_vtkhdf_image_is_refused_naming_the_vtk_needed(tmp_path):
    with pytest.raises(DataFileError, match=r"image.vtkhdf: writing VTKHDF ImageData files needs VTK >= 9.7; this is"):
        write_image(make_image(), tmp_path / "image.vtkhdf")
    assert list(tmp_path.iterdir()) == []


def test_a_vtkhdf_image_is_read_on_every_vtk(tmp_path):
    values = np.arange(60, dtype=np.int16).reshape(3, 4, 5)

    image = read_image(vtkhdf_file(tmp_path / "image.vtkhdf", values=values))

    assert image.GetDimensions() == (5, 4, 3)
    np.testing.assert_array_equal(vtk_to_numpy(image.GetPointData().GetArray("Values")), values.ravel())


@pytest.mark.parametrize("extension", ["vti", pytest.param("vtkhdf", marks=pytest.mark.skipif(
    not WRITES_VTKHDF_IMAGES, reason="VTK writes VTKHDF images from 9.7 on; refused before"))])
def test_vti_and_vtkhdf_keep_the_whole_placement_and_every_array(tmp_path, image_tools, extension):
    image = image_tools.placed_image(image_tools.rotation())
    add_array(image, "Velocity", np.random.default_rng(0).random((image.GetNumberOfPoints(), 3)))
    add_array(image, "Label", np.arange(image.GetNumberOfCells(), dtype=np.uint8), cells=True)
    path = tmp_path / f"image.{extension}"

    with warnings.catch_warnings():
        warnings.simplefilter("error", LossWarning)
        write_image(image, path)
    read = read_image(path)

    assert placement(read) == placement(image)
    corner = (7, 4, 6)
    np.testing.assert_array_equal(image_tools.physical_point(read, corner), image_tools.physical_point(image, corner))
    for attributes in ("GetPointData", "GetCellData"):
        for name in ("Values", "Velocity", "Label"):
            original = getattr(image, attributes)().GetArray(name)
            if original is not None:
                copied = vtk_to_numpy(getattr(read, attributes)().GetArray(name))
                np.testing.assert_array_equal(copied, vtk_to_numpy(original))
                assert copied.dtype == vtk_to_numpy(original).dtype


@pytest.mark.parametrize("direction", list(DIRECTIONS))
@pytest.mark.parametrize("extension", ["mha", "mhd", "nii", "nii.gz"])
def test_meta_and_nifti_keep_every_voxel_where_it_was_and_fold_the_extent_into_the_origin(
    tmp_path, image_tools, extension, direction
):
    image = image_tools.placed_image(DIRECTIONS[direction](image_tools))
    path = tmp_path / f"image.{extension}"

    with pytest.warns(LossWarning) as caught:
        write_image(image, path)
    read = read_image(path)

    message = str(caught[0].message)
    assert "the extent start (2, -1, 3) is folded into the origin" in message
    assert "the array name 'Values' is not stored" in message
    assert read.GetExtent() == (0, 5, 0, 5, 0, 3)
    # Same voxel, same index, same place: NIfTI headers are float32, hence the tolerance.
    tolerance = 1e-5 if "nii" in extension else 1e-12
    np.testing.assert_allclose(image_tools.voxel_positions(read), image_tools.voxel_positions(image), atol=tolerance)
    last_read, last_written = image_tools.physical_point(read, (5, 5, 3)), image_tools.physical_point(image, (7, 4, 6))
    np.testing.assert_allclose(last_read, last_written, atol=tolerance)
    values = vtk_to_numpy(read.GetPointData().GetScalars())
    np.testing.assert_array_equal(values, vtk_to_numpy(image.GetPointData().GetScalars()))
    assert values.dtype == np.int16


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("extension", ["mha", "nii"])
def test_single_array_formats_keep_the_voxel_type_and_components(tmp_path, image_tools, extension, dtype):
    image = image_tools.placed_image(np.eye(3), extent=(0, 4, 0, 3, 0, 2), dtype=dtype, components=3)
    path = tmp_path / f"vectors.{extension}"

    with pytest.warns(LossWarning):
        write_image(image, path)
    values = vtk_to_numpy(read_image(path).GetPointData().GetScalars())

    assert values.dtype == dtype and values.shape == (60, 3)
    np.testing.assert_array_equal(values, vtk_to_numpy(image.GetPointData().GetScalars()))


def test_single_array_formats_name_every_array_they_drop(tmp_path, image_tools):
    image = image_tools.placed_image(np.eye(3), extent=(0, 3, 0, 3, 0, 3))
    add_array(image, "Velocity", np.zeros((64, 3)))
    add_array(image, "Label", np.zeros(27, dtype=np.uint8), cells=True)
    image.GetPointData().SetActiveScalars("Velocity")

    with pytest.warns(LossWarning) as caught:
        write_image(image, tmp_path / "image.mha")

    message = str(caught[0].message)
    assert "only one point array is stored ('Velocity'): 'Values' are dropped" in message
    assert "cell arrays 'Label' are dropped" in message


def test_legacy_vtk_keeps_arrays_and_positions_of_an_axis_aligned_image(tmp_path, image_tools):
    image = image_tools.placed_image(np.eye(3))
    add_array(image, "Velocity", np.random.default_rng(0).random((image.GetNumberOfPoints(), 3)))
    path = tmp_path / "image.vtk"

    with pytest.warns(LossWarning, match=r"extent start \(2, -1, 3\) is folded into the origin") as caught:
        write_image(image, path)
    read = read_image(path)

    assert "direction" not in str(caught[0].message)
    assert type(read).__name__ in ("vtkImageData", "ImageData")
    np.testing.assert_allclose(image_tools.voxel_positions(read), image_tools.voxel_positions(image))
    np.testing.assert_array_equal(vtk_to_numpy(read.GetPointData().GetArray("Velocity")),
                                  vtk_to_numpy(image.GetPointData().GetArray("Velocity")))


def test_legacy_vtk_warns_that_it_prints_origin_and_spacing_with_6_digits(tmp_path):
    image = make_image()
    image.SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1)
    image.SetOrigin(10.123456789, 0.0, 0.0)
    path = tmp_path / "image.vtk"

    with pytest.warns(LossWarning, match=r"the origin is written with 6 significant digits: \(10.123456789, 0.0, 0.0\) "
                                         r"becomes \(10.1235, 0.0, 0.0\)"):
        write_image(image, path)

    assert read_image(path).GetOrigin() == (10.1235, 0.0, 0.0)


def test_legacy_vtk_warns_that_it_drops_the_direction(tmp_path, image_tools):
    path = tmp_path / "ct.vtk"

    with pytest.warns(LossWarning, match=r"ct.vtk: legacy VTK .* direction matrix \[\[-1.0, 0.0, 0.0\].* is dropped"):
        write_image(make_image(), path)

    read = read_image(path)
    np.testing.assert_array_equal(image_tools.physical_point(read, (0, 0, 0)), make_image().GetOrigin())
    assert read.GetDirectionMatrix().IsIdentity()


# --- what the files say, read without VTK ------------------------------------------------------


def nifti_header(path):
    raw = (gzip.open(path) if str(path).endswith(".gz") else open(path, "rb")).read(348)
    qform_code, sform_code = struct.unpack_from("<hh", raw, 252)
    srows = np.array(struct.unpack_from("<12f", raw, 280)).reshape(3, 4)
    return qform_code, sform_code, srows


#: The matrix that takes coordinates in each frame to RAS (and back: each is its own inverse).
TO_RAS = {"RAS": np.eye(3), "LPS": np.diag([-1.0, -1.0, 1.0])}


@pytest.mark.parametrize("frame", ["RAS", "LPS"])
def test_nifti_files_hold_the_ras_affine_of_the_voxel_grid(tmp_path, image_tools, frame):
    image = image_tools.placed_image(image_tools.rotation(), extent=(0, 5, 0, 5, 0, 3))
    path = tmp_path / "image.nii.gz"
    with pytest.warns(LossWarning):
        write_image(image, path, frame=frame)

    qform_code, sform_code, affine = nifti_header(path)

    direction = np.reshape(placement(image)[3], (3, 3))
    assert qform_code > 0 and sform_code > 0
    np.testing.assert_allclose(affine[:, :3], TO_RAS[frame] @ direction @ np.diag(image.GetSpacing()), atol=1e-6)
    np.testing.assert_allclose(affine[:, 3], TO_RAS[frame] @ np.array(image.GetOrigin()), atol=1e-5)


@pytest.mark.parametrize("frame", ["RAS", "LPS"])
def test_metaimage_transform_matrix_lists_one_lps_axis_per_triple_as_itk_does(tmp_path, image_tools, frame):
    direction = image_tools.rotation()
    path = tmp_path / "image.mha"
    with pytest.warns(LossWarning):
        write_image(image_tools.placed_image(direction), path, frame=frame)

    header = path.read_bytes().split(b"ElementDataFile")[0].decode()
    line = next(line for line in header.splitlines() if line.startswith("TransformMatrix"))
    triples = np.array(line.split("=")[1].split(), dtype=float).reshape(3, 3)

    # Row i of the text is axis i: column i of the direction matrix, in LPS (RAS and LPS swap by one matrix).
    to_lps = TO_RAS["LPS" if frame == "RAS" else "RAS"]
    np.testing.assert_allclose(triples, (to_lps @ direction).T)


@pytest.mark.parametrize("extension", ["mha", "nii", "vti"])
def test_an_image_read_in_one_frame_is_the_same_image_in_the_other(tmp_path, image_tools, extension):
    image = image_tools.placed_image(image_tools.rotation(), extent=(0, 5, 0, 5, 0, 3))
    path = tmp_path / f"image.{extension}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        write_image(image, path, frame="LPS")

    lps, ras = read_image(path, frame="LPS"), read_image(path, frame="RAS")

    tolerance = 1e-5 if extension == "nii" else 1e-12
    np.testing.assert_allclose(image_tools.voxel_positions(lps), image_tools.voxel_positions(image), atol=tolerance)
    if extension == "vti":  # VTK's own files hold coordinates without a frame: they come back as stored
        np.testing.assert_allclose(image_tools.voxel_positions(ras), image_tools.voxel_positions(image))
    else:
        np.testing.assert_allclose(image_tools.voxel_positions(ras), image_tools.voxel_positions(lps) @ TO_RAS["LPS"],
                                   atol=tolerance)


def test_vmtks_ct_is_axis_aligned_in_ras_and_mirrored_in_lps(vmtk_test_data):
    ras, lps = read_image(vmtk_test_data("aorta.mha")), read_image(vmtk_test_data("aorta.mha"), frame="LPS")

    np.testing.assert_array_equal(np.reshape(placement(ras)[3], (3, 3)), np.eye(3))
    np.testing.assert_allclose(ras.GetOrigin(), (156.445, 24.6094, 0.0))
    np.testing.assert_array_equal(np.reshape(placement(lps)[3], (3, 3)), np.diag([-1.0, -1.0, 1.0]))
    np.testing.assert_allclose(lps.GetOrigin(), (-156.445, -24.6094, 0.0))
    assert ras.GetPointData().GetScalars().GetName() == "ImageScalars"


def test_vmtks_ct_keeps_its_placement_through_nifti(tmp_path, vmtk_test_data, image_tools):
    ct = read_image(vmtk_test_data("aorta.mha"))
    path = tmp_path / "aorta.nii"

    with warnings.catch_warnings():
        warnings.simplefilter("error", LossWarning)
        write_image(ct, path)
    copy = read_image(path)

    assert ct.GetDimensions() == copy.GetDimensions() == (157, 393, 34)
    for index in [(0, 0, 0), (156, 392, 33), (80, 10, 20)]:
        position = image_tools.physical_point(copy, index)
        np.testing.assert_allclose(position, image_tools.physical_point(ct, index), atol=1e-4)
    np.testing.assert_array_equal(vtk_to_numpy(copy.GetPointData().GetScalars()),
                                  vtk_to_numpy(ct.GetPointData().GetScalars()))


def test_vmtks_vase_is_read_from_vti(vmtk_test_data):
    vase = read_image(vmtk_test_data("vase.vti"))

    assert vase.GetDimensions() == (115, 101, 75)
    assert vtk_to_numpy(vase.GetPointData().GetScalars()).dtype == np.uint8


# --- NIfTI files from elsewhere -------------------------------------------------------------


def test_a_nifti_scale_that_is_not_applied_is_reported(tmp_path):
    path = tmp_path / "scaled.nii"
    with pytest.warns(LossWarning):
        write_image(make_image(), path)
    raw = bytearray(path.read_bytes())
    struct.pack_into("<ff", raw, 112, 2.0, -1024.0)  # scl_slope, scl_inter
    path.write_bytes(bytes(raw))

    with pytest.warns(LossWarning, match=r"scaled.nii: .*scl_slope=2 and scl_inter=-1024 are not applied"):
        image = read_image(path)

    np.testing.assert_array_equal(vtk_to_numpy(image.GetPointData().GetScalars()),
                                  vtk_to_numpy(make_image().GetPointData().GetScalars()))


# --- NRRD ------------------------------------------------------------------------------------------


def write_nrrd(path, volume, space="left-posterior-superior", axes=None, origin=(1.0, 2.0, 3.0), encoding="raw",
               fields=()):
    """A NRRD file as 3D Slicer writes one; ``volume`` is indexed [z, y, x(, component)], ``axes`` are columns."""
    nz, ny, nx = volume.shape[:3]
    vector = volume.ndim == 4
    sizes = ([volume.shape[3]] if vector else []) + [nx, ny, nz]
    type_name = {"float32": "float", "float64": "double"}.get(volume.dtype.name, volume.dtype.name)
    lines = ["NRRD0004", f"type: {type_name}", f"dimension: {len(sizes)}"]
    if space:
        lines.append(f"space: {space}")
    lines.append("sizes: " + " ".join(map(str, sizes)))
    if axes is not None:
        vectors = " ".join("(" + ",".join(repr(float(v)) for v in column) + ")" for column in np.asarray(axes).T)
        lines.append("space directions: " + ("none " if vector else "") + vectors)
        lines.append("space origin: (" + ",".join(map(repr, map(float, origin))) + ")")
    lines += ["endian: little", f"encoding: {encoding}", *fields]
    data = volume.astype(volume.dtype.newbyteorder("<")).tobytes()
    path.write_bytes(("\n".join(lines) + "\n\n").encode() + (gzip.compress(data) if encoding == "gzip" else data))
    return path


SPACES = {
    "left-posterior-superior": np.eye(3),
    "right-anterior-superior": np.diag([-1.0, -1.0, 1.0]),
    "left-anterior-superior": np.diag([1.0, -1.0, 1.0]),
}


@pytest.mark.parametrize("shape", [(4, 5, 12), (4, 5, 6)], ids=["wide", "first axis of 6"])
@pytest.mark.parametrize("encoding", ["raw", "gzip"])
@pytest.mark.parametrize("space", list(SPACES))
def test_nrrd_voxels_are_placed_by_space_directions_in_lps(tmp_path, image_tools, space, encoding, shape):
    volume = np.arange(np.prod(shape), dtype=np.int16).reshape(shape)
    axes = image_tools.rotation() @ np.diag([0.5, 0.7, 1.5])
    path = write_nrrd(tmp_path / "volume.nrrd", volume, space, axes, encoding=encoding)

    image = read_image(path, frame="LPS")

    to_lps = SPACES[space]
    assert image.GetDimensions() == shape[::-1]
    np.testing.assert_allclose(image.GetSpacing(), [0.5, 0.7, 1.5])
    np.testing.assert_allclose(np.reshape(placement(image)[3], (3, 3)), to_lps @ image_tools.rotation(), atol=1e-12)
    np.testing.assert_allclose(image.GetOrigin(), to_lps @ [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(vtk_to_numpy(image.GetPointData().GetScalars()), volume.ravel())


def test_a_vector_nrrd_without_space_has_components(tmp_path):
    volume = np.arange(4 * 5 * 12 * 3, dtype=np.float32).reshape(4, 5, 12, 3)
    path = write_nrrd(tmp_path / "vectors.nrrd", volume, space=None, fields=["kinds: vector domain domain domain",
                                                                             "spacings: nan 0.5 0.5 2"])
    image = read_image(path)

    assert image.GetDimensions() == (12, 5, 4) and image.GetSpacing() == (0.5, 0.5, 2.0)
    np.testing.assert_array_equal(vtk_to_numpy(image.GetPointData().GetScalars()), volume.reshape(-1, 3))


def test_a_vector_nrrd_with_a_space_keeps_its_components(tmp_path):
    # vtkNrrdReader read 180 of these 720 values; the package reads the file itself.
    volume = np.arange(4 * 5 * 12 * 3, dtype=np.float32).reshape(4, 5, 12, 3)
    path = write_nrrd(tmp_path / "vectors.nrrd", volume, axes=np.diag([0.5, 0.5, 2.0]))

    image = read_image(path, frame="LPS")

    assert image.GetDimensions() == (12, 5, 4) and image.GetSpacing() == (0.5, 0.5, 2.0)
    np.testing.assert_array_equal(vtk_to_numpy(image.GetPointData().GetScalars()), volume.reshape(-1, 3))


# --- bad files -------------------------------------------------------------------------------------


def written(tmp_path, name, keep=None):
    path = tmp_path / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        write_image(make_image(), path)
    if keep is not None:
        path.write_bytes(path.read_bytes()[: int(path.stat().st_size * keep)])
    return path


def truncated(path, keep):
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * keep)])
    return path


def header_without_data(tmp_path):
    path = written(tmp_path, "lone.mhd")
    (tmp_path / "lone.zraw").unlink()
    return path


def file_with(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    return tmp_path / name


def surface_file(tmp_path, name):
    write_surface(make_vessel_surface(), tmp_path / name)
    return tmp_path / name


BAD_FILES = {
    "missing": (lambda tmp: tmp / "nothere.nii.gz", "no such file"),
    "truncated vti": (lambda tmp: written(tmp, "cut.vti", 0.6), "cannot be read as VTK XML ImageData"),
    "truncated vtk": (lambda tmp: written(tmp, "cut.vtk", 0.6), "is truncated: its SCALARS SignedDistance section"),
    "truncated mha": (lambda tmp: written(tmp, "cut.mha", 0.6), "is truncated: its voxels need"),
    "truncated nii": (lambda tmp: written(tmp, "cut.nii", 0.6), "cannot be read as NIfTI"),
    "truncated nii.gz": (lambda tmp: written(tmp, "cut.nii.gz", 0.6), "cannot be read as NIfTI"),
    "truncated vtkhdf": (lambda tmp: truncated(vtkhdf_file(tmp / "cut.vtkhdf"), 0.6), "not a readable HDF5 file"),
    "mhd without its data": (header_without_data, "names a data file 'lone.zraw' that does not exist"),
    "garbage nrrd": (lambda tmp: file_with(tmp, "junk.nrrd", b"NRRD0004\nsizes: x\n\n"),
                     "has a NRRD header that cannot be understood"),
    "not a nrrd": (lambda tmp: file_with(tmp, "junk.nrrd", b"hello"), "is not a NRRD file"),
    "garbage mha": (lambda tmp: file_with(tmp, "junk.mha", b"hello"), "is not a MetaImage file"),
    "surface in vtk": (lambda tmp: surface_file(tmp, "surface.vtk"),
                       "is a legacy VTK POLYDATA file, not STRUCTURED_POINTS; it holds a surface"),
    "surface in vtkhdf": (lambda tmp: vtkhdf_file(tmp / "surface.vtkhdf", "PolyData"),
                          "is a VTKHDF PolyData file, not ImageData; it holds a surface"),
    "unknown extension": (lambda tmp: tmp / "image.png", r"unknown image file extension .png; image extensions for "
                          r"reading are \.vti, \.vtk, \.mha, \.mhd, \.nrrd, \.nhdr, \.nii, \.nii\.gz, \.vtkhdf, \.hdf"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_image_file_is_a_data_file_error_naming_it_and_nothing_is_printed(tmp_path, capfd, case):
    make_path, problem = BAD_FILES[case]
    path = make_path(tmp_path)
    capfd.readouterr()

    with pytest.raises(DataFileError, match=problem) as raised:
        read_image(path)

    assert raised.value.path == str(path)
    assert capfd.readouterr().err == ""


def test_nrrd_cannot_be_written_and_the_error_lists_what_can(tmp_path):
    with pytest.raises(DataFileError, match=r"nrrd files \(.nrrd, .nhdr\) can be read but not written; image "
                                            r"extensions for writing are \.vti, \.vtk, \.mha, \.mhd, \.nii"):
        write_image(make_image(), tmp_path / "image.nrrd")


def test_mhd_writes_its_voxel_file_beside_it_and_nothing_else(tmp_path):
    with pytest.warns(LossWarning):
        write_image(make_image(), tmp_path / "ct.mhd")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["ct.mhd", "ct.zraw"]
    assert b"ElementDataFile = ct.zraw" in (tmp_path / "ct.mhd").read_bytes()


@pytest.mark.parametrize("extension", ["mha", "nii"])
def test_a_single_slice_keeps_its_in_plane_placement(tmp_path, image_tools, extension):
    swap = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    image = image_tools.placed_image(swap, extent=(0, 4, 0, 3, 0, 0))
    image.SetOrigin(1.0, 2.0, 0.0)
    path = tmp_path / f"slice.{extension}"

    with pytest.warns(LossWarning) as caught:
        write_image(image, path)
    read = read_image(path)

    assert "direction" not in str(caught[0].message) and "origin" not in str(caught[0].message)
    np.testing.assert_allclose(image_tools.voxel_positions(read), image_tools.voxel_positions(image), atol=1e-6)


def test_a_single_slice_away_from_z_0_keeps_its_whole_placement_in_metaimage(tmp_path, image_tools):
    image = image_tools.placed_image(image_tools.rotation(), extent=(0, 4, 0, 3, 0, 0))
    path = tmp_path / "slice.mha"

    with pytest.warns(LossWarning) as caught:
        write_image(image, path)

    assert "origin" not in str(caught[0].message) and "direction" not in str(caught[0].message)
    np.testing.assert_allclose(image_tools.voxel_positions(read_image(path)), image_tools.voxel_positions(image),
                               atol=1e-12)


def test_xml_image_files_refuse_array_names_that_would_break_the_xml(tmp_path):
    image = make_image()
    image.GetPointData().GetScalars().SetName("<HU>")
    with pytest.raises(DataFileError, match=r"ct.vti: .*'<HU>' would make the file unreadable"):
        write_image(image, tmp_path / "ct.vti")
    assert list(tmp_path.iterdir()) == []
