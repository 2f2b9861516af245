"""The layout in one place: each kind's keys, vmtk's and ours, the dispatch to its converters, the section checks."""

import subprocess
import sys

import numpy as np
import pytest

from vmtkscripts_numpy import sample_data
from vmtkscripts_numpy.convert import layout
from vmtkscripts_numpy.errors import ArrayDictError

MAKERS = {
    "surface": sample_data.make_vessel_surface,
    "centerlines": sample_data.make_centerlines,
    "mesh": sample_data.make_mesh,
    "image": sample_data.make_image,
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_each_converter_gives_its_kinds_keys_and_vmtks_keys_are_among_them(kind):
    array_dict = layout.to_dict(MAKERS[kind](), kind)

    assert set(array_dict) <= set(layout.KINDS[kind].keys)
    assert set(layout.KINDS[kind].vmtk_keys) <= set(array_dict)
    assert layout.guess_kind(array_dict) == kind


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_the_dispatch_goes_back_to_vtk_by_the_kind_it_guesses(kind):
    data = MAKERS[kind]()
    back = layout.from_dict(layout.to_dict(data, kind))

    assert back.IsA(layout.KINDS[kind].vtk_class) and data.IsA(layout.KINDS[kind].vtk_class)
    assert back.GetNumberOfPoints() == data.GetNumberOfPoints() and back.GetNumberOfCells() == data.GetNumberOfCells()


def test_the_extensions_are_the_keys_vmtk_lacks():
    assert layout.KINDS["surface"].extensions == ("FieldData", "ActiveArrays", "ArrayTypes", "CellTypes")
    assert layout.KINDS["mesh"].extensions == ("FieldData", "ActiveArrays", "ArrayTypes")
    assert set(layout.KINDS["image"].extensions) == {
        "Direction", "Extent", "IndexOrder", "Frame", "CellData", "FieldData", "ActiveArrays", "ArrayTypes"}
    assert layout.KINDS["timeseries"].extensions[-1] == "TimeSeries"


def test_a_time_series_is_built_by_its_kinds_converter_and_is_no_one_vtk_object():
    series = layout.to_dict(sample_data.make_vessel_surface(), "timeseries", times=[0.0, 1.0])

    assert set(series) <= set(layout.KINDS["timeseries"].keys) and "TimeSeries" in series
    with pytest.raises(ValueError, match="timeseries ArrayDict is no one VTK object"):
        layout.converter("timeseries", "from_dict")


def test_a_dict_of_no_kind_is_refused_by_the_dispatch():
    with pytest.raises(ArrayDictError, match="cannot tell its kind from its keys"):
        layout.from_dict({"Spacing": np.ones(3)})
    with pytest.raises(ValueError, match="unknown kind 'volume'"):
        layout.to_dict(None, "volume")


@pytest.mark.parametrize("kind", ["surface", "mesh", "image"])
@pytest.mark.parametrize("key, expected", [("ArrayTypes", "PointData, CellData, FieldData"),
                                           ("ActiveArrays", "PointData, CellData")])
def test_every_kind_checks_the_sections_of_its_tables_alike(kind, key, expected):
    array_dict = layout.to_dict(MAKERS[kind](), kind)
    array_dict[key] = {"Bogus": {}}

    with pytest.raises(ArrayDictError, match=rf"ArrayDict\['{key}'\]\['Bogus'\]: unknown section; expected one of "
                                             rf"{expected}$"):
        layout.from_dict(array_dict, kind)


@pytest.mark.parametrize("kind", ["surface", "image"])
def test_a_section_that_is_not_a_dict_is_named(kind):
    array_dict = layout.to_dict(MAKERS[kind](), kind)
    array_dict["ArrayTypes"] = {"PointData": ["vtkIdTypeArray"]}

    with pytest.raises(ArrayDictError, match=r"ArrayDict\['ArrayTypes'\]\['PointData'\]: expected a dict, found list"):
        layout.from_dict(array_dict, kind)


def test_the_layout_loads_neither_numpy_nor_vtk():
    code = ("import sys, vmtkscripts_numpy.convert.layout as layout\n"
            "layout.KINDS['mesh'].keys\n"
            "print(sorted(name for name in ('numpy', 'vtkmodules') if name in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
