"""The benchmark's methods: each storage format reads back what it wrote, however well it compresses."""

import numpy as np
import pytest

from benchmarks import methods


@pytest.mark.parametrize("storage_format", [f for f in methods.STORAGE_FORMATS if f.key != "numpy-save"],
                         ids=lambda f: f.key)
def test_a_file_that_compresses_far_beyond_the_reading_limit_reads_back(tmp_path, storage_format):
    # 20 MB of zeros: gzip makes them a few kB, past the 100-to-1 limit (plus 16 MiB) untrusted files get.
    array_dict = {"PointData": {"ImageScalars": np.zeros((160, 128, 128), np.int64)}}
    write, read = methods.storage_calls(storage_format, array_dict, str(tmp_path / f"zeros{storage_format.extension}"))
    write()
    np.testing.assert_array_equal(read()["PointData"]["ImageScalars"], array_dict["PointData"]["ImageScalars"])
