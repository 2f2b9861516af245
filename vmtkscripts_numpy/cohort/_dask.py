"""Dask, imported only when a cohort runs, and the cluster a run uses.

Dask is an optional dependency (the ``cohort`` extra). Everything else in the
package works without it; the runner says how to install it when it is missing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
from typing import Any, Dict, Iterator, Optional, Tuple

#: What to type when Dask is missing.
INSTALL_HINT = 'pip install "vmtkscripts_numpy[cohort]"'

#: Scheduler settings of the clusters the runner starts itself (see :func:`connect`).
OWN_CLUSTER_CONFIG = {
    # A worker that dies fails the case it was running, and the case waiting beside it: Dask tries such cases
    # once more (1), not three times, so that a case that crashes its worker costs two workers, not four,
    # and an innocent case that was waiting gets its second chance. The runner's own -retries come on top.
    "distributed.scheduler.allowed-failures": 1,
    # Cases queued on the scheduler are given out one per worker thread.
    "distributed.scheduler.worker-saturation": 1.0,
    # Each worker samples its threads' stacks every 10 ms for the dashboard's profile page: on a machine with a
    # worker per core, that thread takes CPU from the cases (the dashboard's other pages stay).
    "distributed.worker.profile.enabled": False,
}


def own_cluster_config() -> Dict[str, Any]:
    """:data:`OWN_CLUSTER_CONFIG`, and the environment of worker processes without Dask's ``MALLOC_TRIM_THRESHOLD_``.

    Dask starts workers with glibc's trim threshold fixed at 64 KiB, which
    turns off glibc's own adaptive thresholds: every large array a case frees
    goes back to the system, and the next case pays the page faults again. On
    a cohort of 100 000-triangle surfaces that made every case 22 % slower
    (``python -m benchmarks.bench_cohort``); with glibc's own behaviour a
    worker's memory stays flat from case to case all the same.
    """
    import dask

    environment = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    environment.pop("MALLOC_TRIM_THRESHOLD_", None)
    return {**OWN_CLUSTER_CONFIG, "distributed.nanny.pre-spawn-environ": environment}


def import_distributed() -> Any:
    """``dask.distributed``, or an ImportError that says how to install it.

    Raises
    ------
    ImportError
        When Dask or its ``distributed`` scheduler is not installed.
    """
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError as error:
        raise ImportError(
            f"running a cohort needs Dask's distributed scheduler, which is not installed ({error}); "
            f"install it with: {INSTALL_HINT}"
        ) from error
    return distributed


def default_worker_count() -> int:
    """One worker process per core this process may run on (its CPU affinity, else the machine's cores)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def dashboard_link(client: Any, own_cluster: bool) -> Optional[str]:
    """The address of the Dask dashboard, or None when none is served.

    A cluster in this process serves its dashboard only when bokeh is installed
    (Dask's own condition); a remote scheduler is asked which services it runs.
    """
    # A cluster in this process (started here, or the cluster object a client was made from) serves a
    # dashboard only with bokeh installed, whatever its scheduler reports.
    if (own_cluster or getattr(client, "cluster", None) is not None) and importlib.util.find_spec("bokeh") is None:
        return None
    try:
        services = client.scheduler_info().get("services", {})
    except Exception:  # a scheduler that cannot answer has no dashboard to show
        return None
    return client.dashboard_link if "dashboard" in services else None


@contextlib.contextmanager
def connect(scheduler: Any = None, workers: Optional[int] = None) -> Iterator[Tuple[Any, bool]]:
    """A ``distributed.Client`` for a run, and whether the cluster was started here.

    Parameters
    ----------
    scheduler : None, str, Client or cluster
        None or ``""``: start a ``LocalCluster`` of ``workers`` processes with one
        thread each, listening on the loopback interface only, and close it at
        the end. A string: the address of a running scheduler
        (``tcp://10.0.0.5:8786``). A ``Client``: used as it is and left open.
        A cluster object (``LocalCluster``, ``SLURMCluster``, ...): a client of it.
    workers : int, optional
        Worker processes of a cluster started here (default: one per core).
        With a running scheduler, the run waits until that many workers are
        connected.
    """
    distributed = import_distributed()
    import dask

    if hasattr(scheduler, "submit") and hasattr(scheduler, "gather"):
        if workers:
            scheduler.wait_for_workers(workers)
        yield scheduler, False
        return
    if scheduler is None or scheduler == "":
        count = workers or default_worker_count()
        with dask.config.set(own_cluster_config()):
            cluster = distributed.LocalCluster(
                n_workers=count,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=":0",
                # The runner reports a dead worker or a failed task itself, per case, by name.
                silence_logs=logging.CRITICAL,
            )
        try:
            with distributed.Client(cluster, set_as_default=False) as client:
                yield client, True
        finally:
            cluster.close()
        return
    address = getattr(scheduler, "scheduler_address", scheduler)
    if not isinstance(address, str):
        raise TypeError(f"scheduler must be an address, a dask Client or a cluster, not {type(scheduler).__name__}")
    try:
        client = distributed.Client(address, set_as_default=False, timeout="30s")
    except OSError as error:
        raise OSError(f"cannot connect to the Dask scheduler at {address}: {error}") from error
    with client:
        if workers:
            client.wait_for_workers(workers)
        yield client, False
