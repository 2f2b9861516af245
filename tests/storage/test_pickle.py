"""Pickle files: vmtk's load as plain dicts, hostile ones run nothing, ours are plain containers."""

import builtins
import os
import pickle
import shlex
import subprocess
import sys
import types

import numpy as np
import pytest

from vmtkscripts_numpy.errors import DataFileError
from vmtkscripts_numpy.storage import pickle as pickle_format

UPSTREAM = {
    "upstream-aorta-surface.pickle": {
        "Points": ((6468, 3), "float32"),
        "PointData": {"Normals_": ((6468, 3), "float32"), "Scalars_": ((6468,), "float32")},
        "CellData": {"CellPointIds": ((12932, 3), "int32")},
    },
    "upstream-aorta-centerline-branches.pickle": {
        "Points": ((417, 3), "float32"),
        "PointData": {"MaximumInscribedSphereRadius": ((417,), "float64"), "EdgeArray": ((417, 2), "int32"),
                      "EdgePCoordArray": ((417,), "float64")},
        "CellData": {"CenterlineIds": ((6,), "int32"), "TractIds": ((6,), "int32"), "Blanking": ((6,), "int32"),
                     "GroupIds": ((6,), "int32"),
                     "CellPointIds": [((n,), "int32") for n in (78, 21, 116, 73, 26, 103)]},
    },
    "upstream-twelve-line-centerlines.pickle": {
        "Points": ((102, 3), "float32"),
        "PointData": {"MaximumInscribedSphereRadius": ((102,), "float64")},
        "CellData": {"CenterlineIds": ((12,), "int32"), "CellPointIds": [((n,), "int32") for n in range(3, 15)]},
    },
    "upstream-vase-image.pickle": {
        "Origin": ((3,), "float64"), "Dimensions": ((3,), "int64"), "Spacing": ((3,), "float64"),
        "PointData": {"SLCImage": ((115, 101, 75), "uint8")},
    },
    # vmtk 1.5.2's mesh pickle: its data arrays are VTK's dataset_adapter.VTKArray
    "upstream-tetra-mesh.pickle": {
        "Points": ((40, 3), "float32"),
        "Cells": {"CellLocations": ((151,), "int64"), "CellPointIds": ((755,), "int64"),
                  "CellTypes": ((151,), "uint8"), "CellTypesAsStrings": {"vtkTetra": ((1,), "uint8")}},
        "CellData": {"CellEntityIds": ((151,), "int32")},
        "PointData": {"Radius": ((40,), "float64")},
    },
}


def layout_of(tree):
    """The keys, list lengths, shapes and dtypes of a tree, to compare with ``UPSTREAM``."""
    if isinstance(tree, dict):
        assert type(tree) is dict
        return {key: layout_of(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [layout_of(item) for item in tree]
    assert type(tree) is np.ndarray
    return tree.shape, str(tree.dtype)


# vmtk's files ----------------------------------------------------------------------------------------------
def modules_imported_by(call):
    """The names of the vmtk and VTK modules that ``call()`` imports."""
    before = set(sys.modules)
    call()
    return sorted(name for name in set(sys.modules) - before if name.split(".")[0] in ("vmtk", "vtk", "vtkmodules"))


@pytest.mark.parametrize("name", sorted(UPSTREAM))
def test_vmtks_pickles_load_as_plain_dicts_without_vmtk_or_vtk(upstream_file, name):
    path = upstream_file(name)
    loaded = {}
    assert modules_imported_by(lambda: loaded.update(pickle_format.read(path))) == []
    assert layout_of(loaded) == UPSTREAM[name]


def test_vmtks_mesh_pickle_keeps_its_cells_and_data(upstream_file):
    mesh = pickle_format.read(upstream_file("upstream-tetra-mesh.pickle"))
    np.testing.assert_array_equal(np.unique(mesh["CellData"]["CellEntityIds"]), [1, 2, 3])
    assert (mesh["PointData"]["Radius"] > 0).all()
    np.testing.assert_array_equal(mesh["Cells"]["CellPointIds"][::5], np.full(151, 4))  # each tetra: 4 ids


def test_vmtks_twelve_lines_keep_their_point_ids_in_order(upstream_file):
    lines = pickle_format.read(upstream_file("upstream-twelve-line-centerlines.pickle"))
    ids = lines["CellData"]["CellPointIds"]
    np.testing.assert_array_equal(np.concatenate(ids), np.arange(102))
    np.testing.assert_array_equal(lines["CellData"]["CenterlineIds"], np.arange(12))


def test_vmtks_image_keeps_its_x_fastest_memory_order(upstream_file):
    image = pickle_format.read(upstream_file("upstream-vase-image.pickle"))
    assert image["PointData"]["SLCImage"].flags.f_contiguous
    np.testing.assert_array_equal(image["Dimensions"], [115, 101, 75])


# pickles as numpy 1 and vmtk write them --------------------------------------------------------------------
class vividict(dict):
    def __missing__(self, key):
        value = self[key] = type(self)()
        return value


class VTKArray(np.ndarray):
    """An ndarray subclass with attributes of its own, as VTK's ``dataset_adapter.VTKArray``."""

    def __array_finalize__(self, obj):
        self.DataSet = getattr(obj, "DataSet", None)


#: Where the pickles below say this module's stand-ins come from.
FOREIGN_MODULES = {vividict: "vmtk.vmtkcenterlinestonumpy", VTKArray: "vtk.numpy_interface.dataset_adapter"}


class RenamingPickler(pickle._Pickler):
    """Python's own pickler, naming globals as another program would (numpy 1's numpy.core, vmtk's vividict)."""

    def __init__(self, stream, protocol, renames, modules=None):
        super().__init__(stream, protocol=protocol)
        self.renames = renames
        self.modules = {**FOREIGN_MODULES, **(modules or {})}

    def save_global(self, obj, name=None):
        module = getattr(obj, "__module__", None)
        name = name or obj.__qualname__
        for old, new in self.renames.items():
            if module == old or module.startswith(old + "."):
                module = new + module[len(old):]
        if obj in self.modules:
            module = self.modules[obj]
        if self.proto >= 4:
            self.save(module)
            self.save(name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode("ascii"))
        self.memoize(obj)

    # the base class dispatches python functions (numpy's _frombuffer) straight to its own save_global
    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[types.FunctionType] = save_global


def foreign_pickle(tree, protocol, renames, modules=None):
    import io

    stream = io.BytesIO()
    RenamingPickler(stream, protocol, renames, modules).dump(tree)
    return stream.getvalue()


def globals_named(data):
    """The ``module.name`` globals a pickle names, recorded while the package's unpickler loads it."""
    import io

    seen = set()

    class Recorder(pickle_format.SafeUnpickler):
        def find_class(self, module, name):
            seen.add(f"{module}.{name}")
            return super().find_class(module, name)

    Recorder(io.BytesIO(data)).load()
    return seen


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_numpy_1_pickles_of_vividicts_load(tmp_path, protocol, assert_same):
    tree = vividict()
    tree["Points"] = np.arange(12, dtype=np.float32).reshape(4, 3)
    tree["PointData"]["Radius"] = np.linspace(0, 1, 4)
    tree["CellData"]["CellPointIds"] = [np.arange(3, dtype=np.int32), np.arange(3, 4, dtype=np.int32)]
    tree["Scalar"] = np.float64(2.5)
    data = foreign_pickle(tree, protocol, {"numpy._core": "numpy.core"})
    named = globals_named(data)
    assert "vmtk.vmtkcenterlinestonumpy.vividict" in named, named
    assert any(name.startswith("numpy.core.") for name in named), named
    assert not any(name.startswith("numpy._core") for name in named), named
    path = tmp_path / "numpy1.pickle"
    path.write_bytes(data)
    assert_same(
        {"Points": tree["Points"], "PointData": {"Radius": tree["PointData"]["Radius"]},
         "CellData": {"CellPointIds": tree["CellData"]["CellPointIds"]}, "Scalar": np.float64(2.5)},
        pickle_format.read(path),
    )


PLAIN_DTYPES = ["?", "i1", "<i2", ">i2", "<i4", ">i8", "u1", "<u2", ">u4", "<u8", "<f2", ">f2", "<f4", ">f4",
                "<f8", ">f8", "g", "<c8", ">c16", "G", "S1", "S7", "<U1", ">U5"]


def _values(dtype, shape):
    count = int(np.prod(shape))
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return (np.arange(count) % 3 == 0).reshape(shape)
    if dtype.kind in "SU":
        words = [("ab" * 4)[: index % (dtype.itemsize // (4 if dtype.kind == "U" else 1)) + 1] for index in range(count)]
        return np.array(words, dtype=dtype).reshape(shape)
    return (np.arange(count) * 3 - 7).astype(dtype).reshape(shape)


@pytest.mark.parametrize("numpy_module", ["numpy._core", "numpy.core"], ids=["numpy2", "numpy1"])
@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_numpy_pickles_of_every_plain_dtype_and_order_load_exactly(protocol, numpy_module, assert_same):
    tree = {}
    for dtype in PLAIN_DTYPES:
        tree[dtype] = {
            "C": _values(dtype, (3, 4)),
            "F": np.asfortranarray(_values(dtype, (3, 4))),
            "strided": _values(dtype, (5, 4))[::2, 1:],
            "0d": _values(dtype, ()),
            "scalar": _values(dtype, ())[()],
        }
        if protocol < 5:  # Python's own (pure) pickler fails on two empty buffers at protocol 5: see below
            tree[dtype]["empty"] = _values(dtype, (0, 3))
    data = foreign_pickle(tree, protocol, {"numpy._core": numpy_module})
    loaded = pickle_format.loads(data)
    assert_same(tree, loaded)
    assert loaded["<f8"]["F"].flags.f_contiguous and loaded[">f8"]["F"].flags.f_contiguous
    # numpy's own unpickling turns big-endian arrays native before protocol 5; the pickle says big-endian
    assert loaded[">f8"]["C"].dtype.str == ">f8"


@pytest.mark.parametrize("protocol", [0, 1])
def test_python_2_era_pickles_of_vividicts_load(protocol, assert_same):
    tree = vividict()
    tree["Points"] = np.arange(6.0).reshape(2, 3)
    tree["PointData"]["Radius"] = np.ones(2, np.float32)
    tree["Count"] = 3
    tree["Pair"] = (1.5, 2 + 1j)
    data = foreign_pickle(tree, protocol, {"numpy._core": "numpy.core", "copyreg": "copy_reg", "builtins": "__builtin__"})
    assert b"copy_reg\n_reconstructor" in data
    assert_same({"Points": tree["Points"], "PointData": {"Radius": tree["PointData"]["Radius"]}, "Count": 3,
                 "Pair": (1.5, 2 + 1j)}, pickle_format.loads(data))


def test_vividict_loads_from_any_vmtk_module_without_importing_it():
    module = b"vmtk.vmtkcenterlinestonumpy"
    elsewhere = (b"vmtk.not_installed." + b"x" * len(module))[: len(module)]
    # the same length, so the pickle's string lengths and frame sizes still hold
    data = foreign_pickle(vividict(a=np.ones(2)), 5, {}).replace(module, elsewhere)
    assert pickle_format.loads(data)["a"].tolist() == [1.0, 1.0]
    assert "vmtk.nonexistent" not in sys.modules


VTK_ARRAY_MODULES = ["vtk.numpy_interface.dataset_adapter", "vtkmodules.numpy_interface.dataset_adapter"]


def vmtk_mesh_dict(rng):
    """A mesh dict as vmtk's vmtkmeshtonumpy leaves it: plain points and cells, data arrays as VTKArray."""
    mesh = vividict()
    mesh["Points"] = rng.random((6, 3)).astype(np.float32)
    mesh["Cells"]["CellPointIds"] = np.array([4, 0, 1, 2, 3, 4, 1, 2, 3, 5], np.int64)
    mesh["Cells"]["CellLocations"] = np.array([0, 4], np.int64)
    mesh["Cells"]["CellTypes"] = np.array([10, 10], np.uint8)
    mesh["CellData"]["CellEntityIds"] = np.array([1, 2], np.int32).view(VTKArray)
    mesh["PointData"]["Radius"] = rng.random(6).view(VTKArray)
    mesh["PointData"]["Displacement"] = rng.random((6, 3)).view(VTKArray)
    mesh["PointData"]["Flags"] = np.asfortranarray(rng.integers(0, 255, (6, 2)).astype(np.uint8)).view(VTKArray)
    mesh["PointData"]["Empty"] = np.zeros((0,), np.int16).view(VTKArray)
    return mesh


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize("numpy_module", ["numpy._core", "numpy.core"])
@pytest.mark.parametrize("vtk_module", VTK_ARRAY_MODULES)
def test_vtk_arrays_in_vmtks_mesh_pickles_load_as_plain_arrays(protocol, numpy_module, vtk_module, assert_same):
    mesh = vmtk_mesh_dict(np.random.default_rng(5))
    data = foreign_pickle(mesh, protocol, {"numpy._core": numpy_module}, {VTKArray: vtk_module})
    assert f"{vtk_module}.VTKArray" in globals_named(data)

    loaded = {}
    assert modules_imported_by(lambda: loaded.update(pickle_format.loads(data))) == []

    # what a user expects: the same tree, every array a plain ndarray with the same dtype, shape, order and bits
    assert_same(mesh, loaded)
    assert loaded["PointData"]["Flags"].flags.f_contiguous


def test_vtk_array_stands_for_numpy_ndarray_and_admits_nothing_new():
    ndarray = pickle_format.allowed_global("numpy", "ndarray")
    for module in VTK_ARRAY_MODULES:
        assert pickle_format.allowed_global(module, "VTKArray") is ndarray is pickle_format.ArrayType


def global_call_pickle(module, name):
    """A protocol 2 pickle of ``{"x": module.name()}``: it calls the global if the unpickler admits it."""
    return b"\x80\x02}X\x01\x00\x00\x00xc" + f"{module}\n{name}\n".encode() + b")Rs."


@pytest.mark.parametrize("module, name", [
    ("vtkmodules.numpy_interface.dataset_adapter", "WrapDataObject"),
    ("vtk.numpy_interface.dataset_adapter", "numpyTovtkDataArray"),
    ("vtkmodules.numpy_interface.dataset_adapter", "vtkDataArrayToVTKArray"),
    ("vtkmodules.numpy_interface.dataset_adapter", "VTKCompositeDataArray"),
    ("vtk.numpy_interface.dataset_adapter", "VTKNoneArray"),
    ("vtk.numpy_interface.dataset_adapter", "VTKArray.__new__"),
    ("vtk.numpy_interface.dataset_adapter", "vtkarray"),
    ("vtkmodules.numpy_interface.algorithms", "VTKArray"),
    ("vtkmodules.numpy_interface", "VTKArray"),
    ("vtkmodules.util.numpy_support", "vtk_to_numpy"),
    ("vtk", "VTKArray"),
])
def test_other_globals_of_vtks_numpy_modules_stay_refused(module, name):
    data = global_call_pickle(module, name)
    with pytest.raises(DataFileError, match=rf"refused to unpickle: it asks for {module}\.{name}, "):
        pickle_format.loads(data)


def test_the_refusal_pickle_does_call_an_admitted_global():
    # the test above means something only if its pickle calls what it names when that is admitted
    assert pickle_format.loads(global_call_pickle("builtins", "dict")) == {"x": {}}


def test_protocol_0_pickles_of_ordered_dicts_load():
    from collections import OrderedDict

    data = pickle.dumps(OrderedDict([("b", [1, 2.5, "x"]), ("a", (True, None is None))]), protocol=0)
    loaded = pickle_format.loads(data)
    assert type(loaded) is dict and list(loaded) == ["b", "a"]
    assert loaded["b"] == [1, 2.5, "x"]


# hostile pickles -------------------------------------------------------------------------------------------
def _payloads(marker):
    """Objects whose unpickling would create ``marker``, through several routes to running code."""
    command = f"touch {shlex.quote(str(marker))}"
    code = f"open({str(marker)!r}, 'w').close()"

    class Reduce:
        """Unpickles as ``function(*arguments)``; callable so that it can itself be the function of another."""

        def __init__(self, function, *arguments):
            self.function, self.arguments = function, arguments

        def __reduce__(self):
            return self.function, self.arguments

        def __call__(self):
            raise AssertionError("only called after unpickling")

    return {
        "os.system": Reduce(os.system, command),
        "posix.system": Reduce(getattr(os, "system"), command),
        "subprocess.call": Reduce(subprocess.call, ["touch", str(marker)]),
        "builtins.exec": Reduce(builtins.exec, code),
        "builtins.eval": Reduce(builtins.eval, code),
        "builtins.getattr": Reduce(Reduce(getattr, Reduce(__import__, "os"), "system"), command),
        "builtins.open": Reduce(builtins.open, str(marker), "w"),
    }


@pytest.mark.parametrize("route", sorted(_payloads("x")))
@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_a_hostile_pickle_runs_nothing_and_names_what_it_asked_for(tmp_path, route, protocol):
    marker = tmp_path / "pwned"
    payload = _payloads(marker)[route]
    path = tmp_path / "evil.pickle"
    path.write_bytes(pickle.dumps({"Points": np.zeros((1, 3)), "PointData": {"x": payload}}, protocol=protocol))
    with pytest.raises(DataFileError, match=r"evil\.pickle: refused to unpickle: it asks for (\w+\.)+\w+"):
        pickle_format.read(path)
    assert not marker.exists()


@pytest.mark.parametrize("route", sorted(_payloads("x")))
def test_the_hostile_pickles_do_run_with_plain_pickle(tmp_path, route):
    # the test above means something only if each payload really creates the file when unpickled
    marker = tmp_path / "pwned"
    loaded = pickle.loads(pickle.dumps({"x": _payloads(marker)[route]}, protocol=2))
    if route == "builtins.open":
        loaded["x"].close()
    assert marker.exists()


def test_a_refused_global_is_named_in_the_message(tmp_path):
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"x": _payloads(tmp_path / "m")["os.system"]}, protocol=2))
    with pytest.raises(DataFileError) as raised:
        pickle_format.read(path)
    assert "os.system" in str(raised.value) or "posix.system" in str(raised.value)
    assert raised.value.path == str(path)


def test_a_class_from_vmtk_other_than_vividict_is_refused():
    data = foreign_pickle(vividict(a=1), 2, {}).replace(b"vividict", b"Vividict")
    with pytest.raises(DataFileError, match="asks for vmtk.vmtkcenterlinestonumpy.Vividict"):
        pickle_format.loads(data)


def test_a_numpy_array_subclass_is_refused():
    with pytest.raises(DataFileError, match=r"asks for numpy\.ma\.core\._mareconstruct"):
        pickle_format.loads(pickle.dumps({"a": np.ma.masked_array([1, 2], mask=[0, 1])}))


def test_admitted_constructors_are_the_data_ones_only():
    assert pickle_format.allowed_global("builtins", "dict") is pickle_format.PickledDict
    assert pickle_format.allowed_global("numpy.core.multiarray", "_reconstruct") is not None
    assert pickle_format.allowed_global("numpy._core.numeric", "_frombuffer") is not None
    for module, name in [("builtins", "eval"), ("builtins", "getattr"), ("builtins", "object"),
                         ("numpy", "load"), ("numpy.dtypes", "Float64DType"), ("numpy.dtypes", "__getattr__"),
                         ("numpy.testing", "assert_equal"), ("os", "system"), ("copyreg", "__newobj__"),
                         ("_codecs", "decode")]:
        assert pickle_format.allowed_global(module, name) is None, f"{module}.{name} admitted"


# bad contents ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content, message",
    [
        ([np.ones(2)], "holds a list, not an ArrayDict"),
        (np.ones(2), "holds a ndarray, not an ArrayDict"),
        ({"a": {1, 2}}, r"does not hold an ArrayDict: ArrayDict\['a'\]: values of type set"),
        ({"a": np.array([1, "x"], dtype=object)}, r"ArrayDict\['a'\]: dtype object"),
        ({3: np.ones(1)}, "keys must be strings"),
    ],
)
def test_a_pickle_that_holds_no_array_dict_is_named(tmp_path, content, message):
    path = tmp_path / "other.pickle"
    path.write_bytes(pickle.dumps(content))
    with pytest.raises(DataFileError, match=rf"other\.pickle: .*{message}"):
        pickle_format.read(path)


def test_protocol_5_with_out_of_band_buffers_is_refused_cleanly(tmp_path):
    buffers = []
    data = pickle.dumps({"a": np.arange(4)}, protocol=5, buffer_callback=buffers.append)
    with pytest.raises(DataFileError, match="is not a pickle file|damaged"):
        pickle_format.loads(data)


# writing ---------------------------------------------------------------------------------------------------
def test_every_kind_of_dict_round_trips(tmp_path, dict_kind, assert_same):
    _, array_dict = dict_kind
    pickle_format.write(array_dict, tmp_path / "a.pickle")
    assert_same(array_dict, pickle_format.read(tmp_path / "a.pickle"))


def test_written_pickles_name_only_builtins_and_numpy(tmp_path, make_dict):
    path = tmp_path / "every.pickle"
    pickle_format.write(make_dict("every_leaf"), path)
    data = path.read_bytes()
    assert data[:2] == b"\x80" + bytes([pickle.HIGHEST_PROTOCOL])
    assert {name.split(".")[0] for name in globals_named(data)} <= {"numpy", "builtins"}
    assert "vividict" not in str(globals_named(data)) and "OrderedDict" not in str(globals_named(data))


def test_written_pickles_load_with_plain_pickle_too(tmp_path, make_dict, assert_same):
    path = tmp_path / "surface.pickle"
    surface = make_dict("surface")
    pickle_format.write(surface, path)
    with open(path, "rb") as stream:
        loaded = pickle.load(stream)
    assert type(loaded) is dict and type(loaded["PointData"]) is dict
    assert_same(pickle_format.read(path), loaded)


@pytest.mark.parametrize("protocol", [2, 3, 4])
def test_an_older_protocol_can_be_asked_for(tmp_path, protocol, make_dict, assert_same):
    path = tmp_path / "old.pickle"
    pickle_format.write(make_dict("centerlines"), path, protocol=protocol)
    assert path.read_bytes()[:2] == b"\x80" + bytes([protocol])
    assert_same(make_dict("centerlines"), pickle_format.read(path))


def test_a_protocol_that_cannot_hold_an_array_dict_is_refused(tmp_path):
    with pytest.raises(ValueError, match="protocol must be 2 to"):
        pickle_format.write({}, tmp_path / "a.pickle", protocol=1)


def test_a_large_file_keeps_only_the_disk_space_it_holds(tmp_path):
    points = np.random.default_rng(4).random((200_000, 3))  # 4.8 MB: its disk space reserved first
    path = pickle_format.write({"Points": points, "Lines": [np.arange(3)] * 3}, tmp_path / "big.pkl")
    assert path.stat().st_blocks * 512 <= path.stat().st_size + 8192  # what was reserved and not used is given back
    np.testing.assert_array_equal(pickle_format.read(path)["Points"], points)


@pytest.mark.parametrize("protocol", [2, 4, pickle.HIGHEST_PROTOCOL])
def test_arrays_larger_than_a_write_piece_come_back_exactly_also_through_plain_pickle(tmp_path, protocol):
    # Over 16 MiB each: the writer hands them to the file in pieces, starting the writeback after each.
    values = np.random.default_rng(5).integers(-30000, 30000, (160, 256, 256), dtype=np.int16)
    arrays = {"C": values, "F": np.asfortranarray(values), "Points": np.arange(2_400_000.0).reshape(-1, 3)}
    path = tmp_path / "large.pickle"
    pickle_format.write(arrays, path, protocol=protocol)
    for back in (pickle_format.read(path), pickle.loads(path.read_bytes())):
        for name, value in arrays.items():
            np.testing.assert_array_equal(back[name], value)
        assert back["F"].flags.f_contiguous or protocol < 5


def _non_contiguous_views():
    values = np.random.default_rng(6).random((200_000, 3))
    volume = np.asfortranarray(np.arange(120 * 100 * 40, dtype=np.int32).reshape(120, 100, 40))
    return {
        "columns": values[:, :2],
        "every_other_row": values[::2],
        "reversed_and_transposed": values.reshape(2, 100_000, 3)[:, ::-1].transpose(1, 0, 2),
        "slice_of_an_x_y_z_image": volume[10:110],
        "broadcast": np.broadcast_to(np.arange(3.0), (100_000, 3)),
        "small": values[:10, :2],
    }


@pytest.mark.parametrize("protocol", [2, 4, pickle.HIGHEST_PROTOCOL])
def test_arrays_that_are_not_contiguous_come_back_exactly_also_through_plain_pickle(tmp_path, protocol):
    views = _non_contiguous_views()
    path = pickle_format.write(views, tmp_path / "views.pickle", protocol=protocol)
    for back in (pickle_format.read(path), pickle.loads(path.read_bytes())):
        for name, view in views.items():
            np.testing.assert_array_equal(back[name], view)
            assert back[name].dtype == view.dtype
    # an [x, y, z] image's slice keeps x fastest
    assert pickle.loads(path.read_bytes())["slice_of_an_x_y_z_image"].flags.f_contiguous or protocol < 5


def test_a_large_array_that_is_not_contiguous_is_written_as_numpy_pickles_its_contiguous_copy(tmp_path):
    views = _non_contiguous_views()
    copies = {name: np.asfortranarray(view) if name == "slice_of_an_x_y_z_image" else np.ascontiguousarray(view)
              for name, view in views.items()}
    copies["small"] = views["small"]  # below a megabyte: numpy's own pickling of the view
    path = pickle_format.write(views, tmp_path / "views.pickle")
    assert path.read_bytes() == pickle.dumps(copies, protocol=pickle.HIGHEST_PROTOCOL)


def test_an_array_that_is_not_contiguous_in_two_places_is_written_once(tmp_path):
    view = np.random.default_rng(7).random((300_000, 3))[:, :2]
    once = pickle_format.write({"A": view}, tmp_path / "once.pickle").stat().st_size
    twice = pickle_format.write({"A": view, "B": [view]}, tmp_path / "twice.pickle")
    assert twice.stat().st_size < once + 100
    np.testing.assert_array_equal(pickle_format.read(twice)["B"][0], view)


def test_an_array_that_is_not_contiguous_is_written_without_a_copy_of_it(tmp_path):
    import tracemalloc

    view = np.random.default_rng(8).random((1_000_000, 3))[:, ::2]  # 16 MB, every other column
    tracemalloc.start()
    try:
        pickle_format.write({"Points": view}, tmp_path / "view.pickle")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < pickle_format.STREAM_BLOCK + (256 << 10), peak  # one block, not the 16 MB numpy's pickling copies
    np.testing.assert_array_equal(pickle_format.read(tmp_path / "view.pickle")["Points"], view)


def test_a_pickler_that_copies_buffers_writes_nothing_rather_than_zeros(tmp_path, monkeypatch):
    path = pickle_format.write({"A": np.arange(3)}, tmp_path / "a.pickle")
    monkeypatch.setattr(pickle, "dump", lambda tree, stream, protocol: pickle._Pickler(stream, protocol).dump(tree))
    view = np.random.default_rng(9).random((300_000, 3))[:, :2]
    with pytest.raises(RuntimeError, match="not written, for this Python's pickler copies buffers"):
        pickle_format.write({"A": view}, path)
    np.testing.assert_array_equal(pickle_format.read(path)["A"], np.arange(3))  # the earlier file is intact
