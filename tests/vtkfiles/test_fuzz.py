"""Property-based fuzzing of every VTK file format the package reads: a damaged file is a dataset or one error.

For each format a small valid file is written with the package (by hand where
no writer exists: OBJ, NRRD, VTKHDF before VTK 9.4, DICOM), then hypothesis
damages it one of three ways:

- truncation at a twentieth of the file (1/20 ... 19/20);
- bit flips (one to four) anywhere;
- a header field made huge, negative, zero or NaN: a number in the text
  header, a 2, 4 or 8-byte word of a binary header (NIfTI, STL, PLY...), or a
  small dataset or attribute of a VTKHDF file.

Each damaged file is read (and converted to numpy; surfaces also through
``cell_to_point`` and written as STL) in a child process with a memory cap and
time limits (``capped_read.py``). The outcome must be a dataset or one
``DataFileError`` with nothing printed; a crash, a hang, another exception or
VTK's words on the terminal fail the test, and hypothesis shows the smallest
damage that does it.

By default each format gets two examples, so the module runs in seconds. A
long campaign sets the number of examples per format (26 formats; about ten
reads a second on two cores)::

    VMTKSCRIPTS_NUMPY_FUZZ_EXAMPLES=300 nice -n 19 pytest -p no:cacheprovider tests/vtkfiles/test_fuzz.py

``-k "nrrd or vti"`` picks formats, ``VMTKSCRIPTS_NUMPY_FUZZ_SEED`` makes a run
repeatable, ``VMTKSCRIPTS_NUMPY_FUZZ_SECONDS`` sets the time a read may take (20).
"""

import os
import re
import shutil
import struct
import tempfile
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from vmtkscripts_numpy._vtk_version import vtk_at_least
from vmtkscripts_numpy.errors import LossWarning
from vmtkscripts_numpy.vtkfiles import write_image, write_mesh, write_surface

from .conftest import CappedReader, small_image, small_mesh, small_surface, write_vtkhdf_by_hand

hypothesis = pytest.importorskip("hypothesis", reason="fuzzing needs hypothesis (the test extra)")
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: Examples per format; the default keeps the module to a few seconds.
EXAMPLES = int(os.environ.get("VMTKSCRIPTS_NUMPY_FUZZ_EXAMPLES", "2"))
#: Wall-clock and CPU seconds a read may take before it counts as a hang.
SECONDS = float(os.environ.get("VMTKSCRIPTS_NUMPY_FUZZ_SECONDS", "20"))


# --- the valid files damage starts from ----------------------------------------------------------------


def _quiet(writer, data, path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        writer(data, path, **options)
    return [path]


def _obj(folder):
    path = folder / "s.obj"
    path.write_text("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0.5 0.5 1\nvn 0 0 1\n"
                    "f 1 2 5\nf 2 3 5\nf 3 4 5\nf 1 2 3 4\nl 1 3\n")
    return [path]


def _nrrd(folder, encoding="raw", detached=False):
    import gzip

    values = np.arange(5 * 4 * 3, dtype="<i2")
    data = gzip.compress(values.tobytes()) if encoding == "gzip" else values.tobytes()
    header = ("NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\nsizes: 5 4 3\n"
              "space directions: (0.5,0,0) (0,0.5,0) (0,0,2)\nspace origin: (1,2,3)\nkinds: domain domain domain\n"
              f"endian: little\nencoding: {encoding}\n")
    if detached:
        (folder / "i.raw").write_bytes(data)
        (folder / "i.nhdr").write_text(header + "data file: i.raw\n")
        return [folder / "i.nhdr", folder / "i.raw"]
    (folder / "i.nrrd").write_bytes(header.encode() + b"\n" + data)
    return [folder / "i.nrrd"]


def _vtkhdf_surface(folder):
    if not vtk_at_least(9, 3):
        pytest.skip("VTK reads VTKHDF surfaces from 9.3")
    if vtk_at_least(9, 4):
        return _quiet(write_surface, small_surface(), folder / "s.vtkhdf")
    return [write_vtkhdf_by_hand(small_surface(), folder / "s.vtkhdf")]


def _vtkhdf_mesh(folder):
    if vtk_at_least(9, 4):
        return _quiet(write_mesh, small_mesh(), folder / "m.vtkhdf")
    return [write_vtkhdf_by_hand(small_mesh(), folder / "m.vtkhdf", cell_types=[10, 10, 5])]


def _vtkhdf_image(folder):
    if vtk_at_least(9, 7):
        return _quiet(write_image, small_image(), folder / "i.vtkhdf")
    import h5py

    path = folder / "i.vtkhdf"
    with h5py.File(path, "w") as handle:
        root = handle.create_group("VTKHDF")
        root.attrs["Version"] = np.array([2, 2], np.int64)
        root.attrs.create("Type", np.bytes_("ImageData"))
        root.attrs["WholeExtent"] = np.array([0, 2, 0, 3, 0, 4], np.int64)
        root.attrs["Origin"], root.attrs["Spacing"] = np.array([1.0, 2, 3]), np.array([0.5, 0.5, 2])
        root.attrs["Direction"] = np.eye(3).ravel()
        data = root.create_group("PointData")
        data["ImageScalars"] = (np.arange(60, dtype=np.int16) - 20).reshape(5, 4, 3)
        data.attrs["Scalars"] = np.bytes_("ImageScalars")
    return [path]


def _dicom(folder):
    pydicom = pytest.importorskip("pydicom", reason="DICOM needs the dicom extra (pydicom)")
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    series, paths = generate_uid(), []
    for k in range(3):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = CTImageStorage, generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        dataset = Dataset()
        dataset.file_meta = meta
        dataset.SOPClassUID, dataset.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        dataset.SeriesInstanceUID, dataset.Modality = series, "CT"
        dataset.Rows, dataset.Columns, dataset.PixelSpacing = 4, 5, [0.7, 0.5]
        dataset.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        dataset.ImagePositionPatient = [0, 0, 2.5 * k]
        dataset.SamplesPerPixel, dataset.PhotometricInterpretation = 1, "MONOCHROME2"
        dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit, dataset.PixelRepresentation = 16, 12, 11, 0
        dataset.RescaleSlope, dataset.RescaleIntercept = 1, -1024
        dataset.PixelData = (np.arange(20, dtype="<u2") + k).tobytes()
        path = folder / f"slice{k}.dcm"
        try:
            pydicom.dcmwrite(path, dataset, enforce_file_format=True)
        except TypeError:  # pydicom 2 (Python 3.9) names it otherwise
            dataset.is_little_endian, dataset.is_implicit_VR = True, False
            pydicom.dcmwrite(path, dataset, write_like_original=False)
        paths.append(path)
    return paths


#: format -> (kind, what to do after reading, writer of the valid files: the first is the one damaged).
FORMATS = {
    "vtp binary": ("surface", lambda d: _quiet(write_surface, small_surface(), d / "s.vtp")),
    "vtp ascii": ("surface", lambda d: _quiet(write_surface, small_surface(), d / "s.vtp", mode="ascii")),
    "vtk surface binary": ("surface", lambda d: _quiet(write_surface, small_surface(), d / "s.vtk")),
    "vtk surface ascii": ("surface", lambda d: _quiet(write_surface, small_surface(), d / "s.vtk", mode="ascii")),
    "stl binary": ("surface", lambda d: _quiet(write_surface, small_surface(), d / "s.stl")),
    "stl ascii": ("surface", lambda d: _quiet(write_surface, small_surface(), d / "s.stl", mode="ascii")),
    "ply binary": ("surface", lambda d: _quiet(write_surface, small_surface(), d / "s.ply")),
    "ply ascii": ("surface", lambda d: _quiet(write_surface, small_surface(), d / "s.ply", mode="ascii")),
    "obj": ("surface", _obj),
    "vtkhdf surface": ("surface", _vtkhdf_surface),
    "vtu binary": ("mesh", lambda d: _quiet(write_mesh, small_mesh(), d / "m.vtu")),
    "vtu ascii": ("mesh", lambda d: _quiet(write_mesh, small_mesh(), d / "m.vtu", mode="ascii")),
    "vtk mesh": ("mesh", lambda d: _quiet(write_mesh, small_mesh(), d / "m.vtk")),
    "vtkhdf mesh": ("mesh", _vtkhdf_mesh),
    "vti binary": ("image", lambda d: _quiet(write_image, small_image(), d / "i.vti")),
    "vti ascii": ("image", lambda d: _quiet(write_image, small_image(), d / "i.vti", mode="ascii")),
    "vtk image": ("image", lambda d: _quiet(write_image, small_image(), d / "i.vtk")),
    "mha": ("image", lambda d: _quiet(write_image, small_image(), d / "i.mha")),
    "mhd": ("image", lambda d: _quiet(write_image, small_image(), d / "i.mhd")),
    "nii": ("image", lambda d: _quiet(write_image, small_image(), d / "i.nii")),
    "nii.gz": ("image", lambda d: _quiet(write_image, small_image(), d / "i.nii.gz")),
    "nrrd raw": ("image", _nrrd),
    "nrrd gzip": ("image", lambda d: _nrrd(d, "gzip")),
    "nhdr": ("image", lambda d: _nrrd(d, detached=True)),
    "vtkhdf image": ("image", _vtkhdf_image),
    "dicom": ("image", _dicom),
}
THEN = {"surface": ["dict", "celltopoint", "write:.stl"], "mesh": ["dict"], "image": ["dict"]}


# --- damage ----------------------------------------------------------------------------------------------

#: Values a header field is given.
EXTREMES = [-1, 0, -2147483648, 2147483647, 4294967295, 4294967296, 2 ** 63 - 1, -(2 ** 63), 10 ** 30]
_NUMBER = re.compile(rb"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")
#: Bytes of a file searched for header numbers (text) or words (binary).
HEADER_BYTES = 2048


def truncated(content, twentieth):
    return content[: len(content) * twentieth // 20]


def flipped(content, flips):
    damaged = bytearray(content)
    for position, bit in flips:
        damaged[position % len(damaged)] ^= 1 << bit
    return bytes(damaged)


def header_number(content, choice, value):
    """The ``choice``-th number of the header text replaced by ``value`` (an int, or "nan"/"-inf")."""
    numbers = list(_NUMBER.finditer(content[:HEADER_BYTES]))
    if not numbers:
        return content
    match = numbers[choice % len(numbers)]
    return content[: match.start()] + str(value).encode() + content[match.end():]


def header_word(content, offset, width, value, order):
    """A binary header word (2, 4 or 8 bytes, integer or float) at ``offset`` set to ``value``."""
    span = min(len(content), HEADER_BYTES) - width
    if span <= 0:
        return content
    at = offset % span
    if value == "nan":
        packed = struct.pack(order + {2: "e", 4: "f", 8: "d"}[width], float("nan"))
    else:
        bits = 8 * width
        packed = (int(value) % (1 << bits)).to_bytes(width, "little" if order == "<" else "big")
    return content[:at] + packed + content[at + width:]


def vtkhdf_field(path, choice, value):
    """A small dataset or an attribute of a VTKHDF file (a count, an offset, an extent) set to ``value``."""
    import h5py

    fields = []
    with h5py.File(path, "r+") as handle:
        def visit(name, item):
            fields.extend((name, key) for key in item.attrs)
            if isinstance(item, h5py.Dataset) and 0 < item.size <= 64 and item.dtype.kind in "iuf":
                fields.append((name, None))
        handle.visititems(visit)
        if not fields:
            return
        name, key = fields[choice % len(fields)]
        item = handle[name]
        if key is None:
            values = item[()].copy()
            flat = values.reshape(-1)
            flat[choice % flat.size] = _cast(value, values.dtype)
            item[...] = values
        else:
            attribute = np.array(item.attrs[key])
            if attribute.dtype.kind in "iuf" and attribute.size:
                attribute = attribute.copy()
                attribute.reshape(-1)[choice % attribute.size] = _cast(value, attribute.dtype)
                item.attrs[key] = attribute


def _cast(value, dtype):
    if value == "nan":
        return np.nan if dtype.kind == "f" else np.iinfo(dtype).max
    if dtype.kind == "f":
        return float(value)
    info = np.iinfo(dtype)
    return int(np.clip(int(value), info.min, info.max))


VALUES = st.sampled_from(EXTREMES + ["nan"])
DAMAGE = st.one_of(
    st.tuples(st.just("truncate"), st.integers(1, 19)),
    st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(0, 2 ** 31), st.integers(0, 7)), min_size=1,
                                        max_size=4)),
    st.tuples(st.just("header number"), st.integers(0, 200), VALUES),
    st.tuples(st.just("header word"), st.integers(0, 4096), st.sampled_from([2, 4, 8]), VALUES,
              st.sampled_from("<>")),
    st.tuples(st.just("vtkhdf field"), st.integers(0, 10 ** 6), VALUES),
)


def damage(path, how):
    """Damage the file ``path`` in place as ``how`` says (one of DAMAGE's tuples)."""
    kind = how[0]
    if kind == "vtkhdf field":
        if path.suffix == ".vtkhdf":
            vtkhdf_field(path, *how[1:])
            return
        kind, how = "header number", ("header number", how[1], how[2])
    content = path.read_bytes()
    if kind == "truncate":
        content = truncated(content, how[1])
    elif kind == "flip":
        content = flipped(content, how[1])
    elif kind == "header number":
        content = header_number(content, how[1], how[2])
    else:
        content = header_word(content, *how[1:])
    path.write_bytes(content)


# --- the property ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_reader():
    reader = CappedReader(seconds=SECONDS)
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    return tmp_path_factory.mktemp("originals")


def _fuzz_settings(test):
    test = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                    suppress_health_check=list(HealthCheck))(test)
    if os.environ.get("VMTKSCRIPTS_NUMPY_FUZZ_SEED"):
        test = seed(int(os.environ["VMTKSCRIPTS_NUMPY_FUZZ_SEED"]))(test)
    return test


@pytest.mark.parametrize("name", list(FORMATS))
def test_a_damaged_file_is_read_or_refused_in_one_sentence(name, fuzz_reader, originals):
    kind, write = FORMATS[name]
    folder = originals / re.sub(r"\W", "_", name)
    folder.mkdir()
    files = write(folder)
    intact = fuzz_reader.read(kind, files[0], THEN[kind])
    assert intact.status == "dataset", f"the valid {name} file: {intact.status}: {intact.detail}"

    outcomes = Counter()

    @_fuzz_settings
    @given(how=DAMAGE)
    def read_damaged(how):
        scratch = Path(tempfile.mkdtemp(prefix="fuzz-"))
        try:
            for file in folder.iterdir():  # the file and what it names (a .mhd's voxels, a series' slices)
                shutil.copy(file, scratch / file.name)
            target = scratch / files[0].name
            damage(target, how)
            outcome = fuzz_reader.read(kind, target, THEN[kind])
            trace = getattr(outcome, "traceback", "")
            assert outcome.status in ("dataset", "DataFileError"), \
                f"{name} {how}: {outcome.status}: {outcome.detail}\n{outcome.stderr}\n{trace}"
            outcomes[outcome.status] += 1
            if outcome.status == "DataFileError":
                # The file named is the damaged one, or another of its set (a DICOM series' slice, a .mhd's data).
                assert outcome.detail.startswith(str(scratch)), outcome.detail
                assert outcome.stderr == "", f"{name} {how}: refused, but printed:\n{outcome.stderr}"
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    read_damaged()
    print(f"\n{name}: {sum(outcomes.values())} damaged files: {dict(outcomes)}")  # a campaign's count, with -s
