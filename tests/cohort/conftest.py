"""Cohort tests run on a real Dask cluster: two worker processes on loopback, started once for the session.

The cluster is configured as the runner configures the clusters it starts
itself (a task whose worker died is not retried by Dask, one task per worker
thread), so that the tests that pass it as ``scheduler=`` and those that let
the runner start its own see the same behaviour.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import List

import pytest

from vmtkscripts_numpy.cohort.sample import write_sample_cohort

#: Cases in the generated cohort, and the one that is corrupt.
CASES = 20
CORRUPT = "case007"

#: A pipe made of the package's own scripts, named explicitly so that it means the same with vmtk installed.
PIPE = ("vmtkscripts_numpy.vmtksurfacereader -ifile {input} "
        "--pipe vmtksurfacetonumpy -ofile {output}")


@pytest.fixture(scope="session")
def cluster():
    """A LocalCluster of two single-threaded worker processes, configured as the runner's own."""
    distributed = pytest.importorskip("distributed")
    import dask

    from vmtkscripts_numpy.cohort._dask import own_cluster_config

    with dask.config.set(own_cluster_config()):
        local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                         dashboard_address=":0", silence_logs=logging.CRITICAL)
    yield local
    local.close()


@pytest.fixture(scope="session")
def client(cluster):
    import distributed

    with distributed.Client(cluster, set_as_default=False) as session_client:
        yield session_client


def write_cohort(folder: Path, cases: int = CASES) -> List[Path]:
    """``cases`` generated vessel surfaces in ``folder``, ``case007.vtp`` corrupt (not a VTK file)."""
    paths = write_sample_cohort(folder, cases=cases)
    corrupt = folder / f"{CORRUPT}.vtp"
    if corrupt in paths:
        corrupt.write_text("<VTKFile this surface was cut short")
    return paths
