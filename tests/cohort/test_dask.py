"""The clusters the runner starts itself."""

import os

import pytest

pytest.importorskip("distributed", reason="cohorts need the cohort extra (Dask)")

from vmtkscripts_numpy.cohort._dask import connect  # noqa: E402


def _environment(names):
    return {name: os.environ.get(name) for name in names}


def test_own_workers_keep_glibcs_own_trim_threshold_and_one_thread_for_numerical_libraries():
    # Dask's MALLOC_TRIM_THRESHOLD_ of 64 KiB made every case pay its page faults again (22 % slower).
    with connect(None, 1) as (client, own):
        assert own
        seen = client.run(_environment, ["MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS"])
    assert list(seen.values()) == [{"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": "1"}]
