"""The benchmarks' generated data."""

import numpy as np

from benchmarks import data


def test_with_views_gives_the_same_values_in_arrays_that_are_not_contiguous():
    surface = data.surface_dict(1000)
    views = data.with_views(surface)
    for original, view in ((surface["Points"], views["Points"]),
                           (surface["CellData"]["CellEntityIds"], views["CellData"]["CellEntityIds"])):
        np.testing.assert_array_equal(view, original)
        assert view.dtype == original.dtype
        assert not view.flags.c_contiguous and not view.flags.f_contiguous
