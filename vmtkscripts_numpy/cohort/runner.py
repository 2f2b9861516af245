"""Run one pipe (or one function) per case of a cohort on a Dask cluster: resumable, failures quarantined.

:func:`run_cohort` is the whole runner; the script ``vmtknumpybatch`` is its
command line. It

1. finds the cases (:mod:`~vmtkscripts_numpy.cohort.cases`) and checks the
   pipe against the first one before anything runs (an unknown script, option
   or ``{field}`` stops the run at once, not once per case);
2. skips each case whose output exists and whose input (size and modification
   time, or its SHA-256) and pipe are those the journal recorded when the
   output was made;
3. runs the other cases on Dask, two per worker thread at a time, each
   into a temporary file renamed into place when complete
   (:mod:`~vmtkscripts_numpy.cohort.task`);
4. records each finished case at once in the journal, so a run killed at any
   point resumes where it stopped; a failing case (a bad file, a script's
   error, a worker process that dies) is retried ``retries`` times, then
   quarantined: its reason goes to the index, its traceback to ``failures.log``,
   and the run goes on;
5. writes the index table and a summary.

The output folder must be shared by the machine running the runner and the
workers (it is, for a local cluster): workers write the outputs, the runner
checks and records them.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shlex
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, TextIO, Tuple, Union

from . import records as records_module
from ._dask import connect, dashboard_link
from .cases import Case, find_cases
from .progress import Progress, _duration
from .task import Job, file_sha256, fill_pipe, pipe_fields, run_cases

#: Fields every case gives a pipe.
CASE_FIELDS = ("input", "output", "name")
#: Fingerprints of an input a rerun compares.
FINGERPRINTS = ("stat", "sha256")
#: Tasks submitted at a time per worker thread.
IN_FLIGHT_PER_THREAD = 2
#: Seconds a task should last at least: quick cases go to the workers several to a task, so that Dask's own cost
#: per task (a few milliseconds of the scheduler's and the client's time, on the same cores) stays small beside it.
TASK_SECONDS = 0.2
#: Cases a task runs at the most.
MOST_CASES_PER_TASK = 4
#: Seconds between two questions to the scheduler about how many worker threads it has.
CAPACITY_REFRESH = 1.0

DIED = ("the worker process died while running this case (a crash in compiled code, a signal, or out of "
        "memory); Dask replaced it")

Pipe = Union[str, Sequence[str], Callable[[Any], Any]]


@dataclass
class CohortReport:
    """What a cohort run did.

    Attributes
    ----------
    done, skipped, failed, pending : int
        Cases run in this run; left as they were (their output up to date);
        failed after every attempt; not run because the run was interrupted.
    seconds : float
        The run's wall-clock time.
    output_dir, index, failures_log : str
        The output folder, its index table, and its failure log ("" when no case failed).
    dashboard : str or None
        The Dask dashboard's address, when one was served.
    records : list of dict
        The index rows, in case order (plus ``rss``: the worker's resident
        bytes after the case, for cases run here).
    interrupted : bool
        Whether the run was stopped before every case had finished.
    """

    done: int = 0
    skipped: int = 0
    failed: int = 0
    pending: int = 0
    seconds: float = 0.0
    output_dir: str = ""
    index: str = ""
    failures_log: str = ""
    dashboard: Optional[str] = None
    records: List[Dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """Whether every case is done or was already up to date."""
        return not self.failed and not self.pending

    @property
    def failures(self) -> List[Tuple[str, str]]:
        """``(name, one-line reason)`` of each failed case."""
        return [(row["name"], row["error"]) for row in self.records if row["status"] == "failed"]

    def summary(self) -> str:
        """One line: the counts, the time, and where the index (and the failure log) are."""
        counts = f"done {self.done}, skipped {self.skipped}, failed {self.failed}"
        if self.pending:
            counts += f", not run {self.pending}"
        line = f"{'interrupted: ' if self.interrupted else ''}{counts} in {_duration(self.seconds)}; index {self.index}"
        if self.failures_log:
            line += f"; failures in {self.failures_log}"
        return line


@dataclass
class _Item:
    case: Case
    job: Job
    row: Dict[str, Any]
    attempts: int = 0
    #: Whether the case runs in a task of its own: after a worker died in a task of several cases, not knowing which.
    alone: bool = False


def pipe_identity(pipe: Pipe) -> str:
    """How the index and the journal name a pipe: its words, or ``python:<module>.<function>``.

    Examples
    --------
    >>> pipe_identity("vmtksurfacereader -ifile {input}   --pipe vmtksurfacetonumpy")
    'vmtksurfacereader -ifile {input} --pipe vmtksurfacetonumpy'
    >>> import os.path
    >>> pipe_identity(os.path.basename)
    'python:posixpath.basename'
    """
    if callable(pipe):
        module = getattr(pipe, "__module__", None) or "?"
        name = getattr(pipe, "__qualname__", None) or type(pipe).__qualname__
        return f"python:{module}.{name}"
    # Quotes only where a word needs them, so that "{input}" reads as written.
    return " ".join(shlex.quote(word) if not word or any(c.isspace() or c in "'\"\\" for c in word) else word
                    for word in _words(pipe))


def _words(pipe: Union[str, Sequence[str]]) -> List[str]:
    if isinstance(pipe, str):
        try:
            words = shlex.split(pipe)
        except ValueError as error:
            raise ValueError(f"cannot split the pipe {pipe!r}: {error}") from None
    else:
        words = [str(word) for word in pipe]
    if not words:
        raise ValueError("the pipe is empty")
    return words


def check_pipe(words: Sequence[str], case: Case, output: str) -> None:
    """Parse the pipe filled for ``case`` with every script's own option parser, running nothing.

    Raises
    ------
    ValueError
        For an unknown ``{field}``, script or option, or a value of the wrong
        type; the message names it.
    """
    from ..pypes import PypeError
    from ..pypes.lookup import find_script_class
    from ..pypes.pype import NullOutputStream, Pype
    from ..pypes.script import parse_arguments

    known = set(CASE_FIELDS) | set(case.fields)
    unknown = [name for name in pipe_fields(words) if name not in known]
    if unknown:
        raise ValueError(f"the pipe uses {{{unknown[0]}}}, which the cases do not give; fields are "
                         f"{', '.join('{' + name + '}' for name in sorted(known))}")
    values = dict(case.fields, input=case.input, output=output, name=case.name)
    pipe = Pype()
    pipe.Arguments = fill_pipe(words, values)
    try:
        pipe.ParseArguments()
        for name, arguments in pipe.ScriptList:
            script = find_script_class(name)()
            script.Arguments = list(arguments)
            script.LogOn = 0
            script.OutputStream = NullOutputStream()
            if not parse_arguments(script):
                raise PypeError(f"{name}: --help and --doc have no place in a cohort's pipe")
    except PypeError as error:
        raise ValueError(f"the pipe is wrong: {error}") from None


def run_cohort(
    inputs: Any,
    pipe: Pipe,
    output_dir: Union[str, "os.PathLike[str]"],
    *,
    output_ext: str = ".hdf5",
    scheduler: Any = None,
    workers: Optional[int] = None,
    retries: int = 0,
    fingerprint: str = "stat",
    reader: Optional[Callable[[str], Any]] = None,
    log: Union[TextIO, bool, None] = True,
    progress_interval: float = 10.0,
) -> CohortReport:
    """Run a pipe, or a function, once per case of a cohort on Dask.

    Parameters
    ----------
    inputs : str, path-like or sequence
        Glob patterns, files, a CSV manifest or :class:`~vmtkscripts_numpy.cohort.cases.Case`
        objects (see :func:`~vmtkscripts_numpy.cohort.cases.find_cases`).
    pipe : str, sequence of str, or callable
        A ``vmtknumpy`` pipe in which ``{input}``, ``{output}``, ``{name}`` and
        a manifest's columns are replaced per case, e.g.
        ``"vmtksurfacereader -ifile {input} --pipe vmtksurfacetonumpy -ofile {output}"``.
        A pipe without ``{output}`` has the ArrayDict of its last numpy script
        written. Or a function taking the input (an ArrayDict file as a dict,
        a VTK file as a VTK object; see ``reader``) and returning an ArrayDict.
        A function travels to the workers by pickle (Dask's cloudpickle).
    output_dir : str or path-like
        Where ``<name><output_ext>`` is written for each case, with
        ``index.csv``, ``failures.log`` and the journal. Created if needed.
    output_ext : str
        The outputs' extension, which chooses the storage format
        (``.hdf5``, ``.h5``, ``.pickle``, ``.npz``; a pipe that writes
        ``{output}`` itself may use another, e.g. ``.vtp``).
    scheduler : None, str, distributed.Client or cluster
        None: a ``LocalCluster`` of ``workers`` processes, one thread each,
        closed at the end. An address (``tcp://host:8786``), a ``Client`` or a
        cluster object: that cluster (see :func:`~vmtkscripts_numpy.cohort._dask.connect`).
    workers : int, optional
        Worker processes of the local cluster (default: one per core); with
        a running cluster, how many workers to wait for before starting.
    retries : int
        Further attempts of a failing case before it is quarantined.
    fingerprint : {"stat", "sha256"}
        How a rerun tells an input has changed: its size and modification
        time, or the SHA-256 of its bytes (computed by the workers; a rerun
        hashes only inputs whose size or time changed).
    reader : callable, optional
        For a function: reads an input file (default:
        :func:`~vmtkscripts_numpy.cohort.task.read_input`).
    log : text stream, True or None
        Where progress and the summary go: True (default) for standard
        output, None or False for nothing. A terminal gets a progress bar;
        anything else a line every ``progress_interval`` seconds.

    Returns
    -------
    CohortReport

    Raises
    ------
    ValueError
        For a wrong pipe, option or input list, before any case runs.
    ImportError
        When cases are to run and Dask is not installed (the message says how
        to install it).
    RuntimeError
        When another run is writing into ``output_dir``.

    Examples
    --------
    >>> report = run_cohort("data/*.vtp",  # doctest: +SKIP
    ...                     "vmtksurfacereader -ifile {input} --pipe vmtksurfacetonumpy -ofile {output}",
    ...                     "arrays", workers=2)
    >>> report.summary()  # doctest: +SKIP
    'done 19, skipped 0, failed 1 in 6.1 s; index arrays/index.csv; failures in arrays/failures.log'
    """
    from ..storage import guess_format

    started = time.perf_counter()
    if not output_ext.startswith(".") or len(output_ext) < 2 or os.sep in output_ext:
        raise ValueError(f"output_ext must be an extension such as .hdf5, not {output_ext!r}")
    if fingerprint not in FINGERPRINTS:
        raise ValueError(f"fingerprint must be one of {', '.join(FINGERPRINTS)}, not {fingerprint!r}")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be an integer >= 0, not {retries!r}")
    function = pipe if callable(pipe) else None
    words = None if function else tuple(_words(pipe))  # type: ignore[arg-type]
    writes_itself = words is not None and "output" in pipe_fields(words)
    if not writes_itself and guess_format(f"x{output_ext}") is None:
        raise ValueError(f"output_ext {output_ext} is not an ArrayDict format (.hdf5, .h5, .pickle, .pkl, .npz); "
                         f"only a pipe that writes {{output}} itself may write other files")
    cases = find_cases(inputs)
    output_dir = os.path.abspath(os.fspath(output_dir))
    if words and cases:
        check_pipe(words, cases[0], os.path.join(output_dir, cases[0].name + output_ext))
    identity = pipe_identity(pipe)
    os.makedirs(output_dir, exist_ok=True)
    report = CohortReport(output_dir=output_dir, index=os.path.join(output_dir, records_module.INDEX_NAME))
    with records_module.locked(output_dir):
        leftovers = records_module.remove_temporaries(output_dir)
        journal = records_module.Journal(output_dir)
        failures = records_module.FailureLog(output_dir)
        previous = journal.read()
        rows: Dict[str, Dict[str, Any]] = {}
        to_run: List[_Item] = []
        for case in cases:
            relative = case.name + output_ext
            row = {"name": case.name, "input": case.input, "output": relative, "pipe": identity,
                   "status": "pending", "attempts": 0}
            rows[case.name] = row
            outcome = _plan(case, row, previous.get(case.name), os.path.join(output_dir, relative), fingerprint)
            if outcome == "skipped":
                report.skipped += 1
            elif outcome == "missing":
                report.failed += 1
                journal.append(row)
                failures.add(row)
            else:
                job = Job(name=case.name, input=case.input, output=os.path.join(output_dir, relative),
                          extension=output_ext, fields=dict(case.fields), pipe=words, function=function,
                          reader=reader, hash_input=fingerprint == "sha256")
                to_run.append(_Item(case, job, row))
        stream = sys.stdout if log is True else (log or None)
        progress = Progress(len(to_run), stream, interval=progress_interval)
        if leftovers:
            progress.say(f"vmtknumpybatch: removed {len(leftovers)} temporary file(s) of an interrupted run")
        try:
            if to_run:
                _run(to_run, scheduler, workers, retries, journal, failures, progress, report, len(cases))
            elif cases:
                progress.say(f"vmtknumpybatch: {len(cases)} cases, every output up to date"
                             + (f" but {report.failed} input(s) missing" if report.failed else ""))
        except KeyboardInterrupt:
            report.interrupted = True
            raise
        finally:
            progress.close()
            report.pending = sum(row["status"] == "pending" for row in rows.values())
            report.records = [rows[case.name] for case in cases]
            records_module.write_index(report.records, report.index)
            # One record per case: this run's, else the earlier one (cases not run now, or not in this cohort).
            latest = dict(previous)
            latest.update((row["name"], _journal_record(row)) for row in report.records if row["status"] != "pending")
            journal.rewrite(latest.values())
            failures.close()
            records_module.remove_temporaries(output_dir)
            report.failures_log = failures.path if failures.count else ""
            report.seconds = time.perf_counter() - started
            progress.say(f"vmtknumpybatch: {report.summary()}")
    return report


def _stat_fingerprint(size: int, mtime_ns: int) -> str:
    return f"stat:{size}:{mtime_ns}"


def _plan(case: Case, row: Dict[str, Any], before: Optional[Dict[str, Any]], output: str, fingerprint: str) -> str:
    """``"run"``, ``"skipped"`` (``row`` takes the earlier record) or ``"missing"`` (``row`` becomes a failure)."""
    try:
        status = os.stat(case.input)
    except OSError as error:
        row.update(status="failed", error=f"{case.input}: {error.strerror or 'cannot be read'}", attempts=0,
                   finished=_now())
        return "missing"
    row.update(input_size=status.st_size, input_mtime_ns=status.st_mtime_ns,
               fingerprint=_stat_fingerprint(status.st_size, status.st_mtime_ns))
    if not (before and before.get("status") in ("done", "skipped") and before.get("pipe") == row["pipe"]
            and before.get("output") == row["output"] and os.path.isfile(output)):
        return "run"
    same_stat = (before.get("input_size"), before.get("input_mtime_ns")) == (status.st_size, status.st_mtime_ns)
    if fingerprint == "sha256":
        recorded = str(before.get("fingerprint", ""))
        if not recorded.startswith("sha256:"):
            return "run"
        if not same_stat and file_sha256(case.input) != recorded:
            return "run"
        row["fingerprint"] = recorded
    elif not same_stat:
        return "run"
    for key in ("seconds", "version", "vtk_version", "vmtk_version", "attempts", "worker", "finished"):
        row[key] = before.get(key, "")
    row.update(status="skipped", error="")
    return "skipped"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _journal_record(row: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in row.items() if key not in ("traceback", "log", "rss")}


def _run(items: List[_Item], scheduler: Any, workers: Optional[int], retries: int,
         journal: records_module.Journal, failures: records_module.FailureLog, progress: Progress,
         report: CohortReport, total: int) -> None:
    """Submit the cases, a window of two per worker thread, and record each as it finishes."""
    from ._dask import import_distributed

    distributed = import_distributed()
    killed_worker = getattr(distributed, "KilledWorker", None) or distributed.scheduler.KilledWorker
    with connect(scheduler, workers) as (client, own):
        report.dashboard = dashboard_link(client, own)
        worker_count = len(client.scheduler_info().get("workers", {}))
        progress.say(
            f"vmtknumpybatch: {total} cases: {len(items)} to run, {report.skipped} up to date"
            + (f", {report.failed} missing" if report.failed else "")
            + f"; {worker_count} worker process(es) {'started here' if own else 'at ' + client.scheduler.address}"
            + (f"; dashboard {report.dashboard}" if report.dashboard else "")
        )
        queue: Deque[_Item] = collections.deque(items)
        in_flight: Dict[Any, List[_Item]] = {}
        # Results are fetched as tasks finish, beside this loop: not one round trip to a worker per task here.
        completed = distributed.as_completed(loop=client.loop, with_results=True, raise_errors=False)
        capacity, asked = 1, 0.0
        durations: Deque[float] = collections.deque(maxlen=20)

        def submit_more() -> None:
            nonlocal capacity, asked
            if time.perf_counter() - asked > CAPACITY_REFRESH:
                # Two tasks per worker thread: each worker has its next one at hand when one ends, instead of
                # idling for a round trip through this process; and the backlog stays on this side.
                capacity, asked = IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values())), time.perf_counter()
            size = cases_per_task(durations)
            while queue and len(in_flight) < capacity:
                batch = [queue.popleft()]
                while queue and len(batch) < size and not batch[0].alone and not queue[0].alone:
                    batch.append(queue.popleft())
                future = client.submit(run_cases, [item.job for item in batch], pure=False,
                                       key=f"vmtknumpybatch-{os.urandom(8).hex()}")
                in_flight[future] = batch
                completed.add(future)

        try:
            submit_more()
            for future, outcome in completed:
                batch = in_flight.pop(future)
                finished = future.status == "finished"
                results = outcome if finished else [_not_run(outcome, killed_worker)] * len(batch)
                future.release()
                del future, outcome
                if not finished and len(batch) > 1:
                    # Which of the cases took the worker down is not known: each runs again in a task of its own,
                    # and only the one that fails alone fails.
                    for item in reversed(batch):
                        item.alone = True
                        queue.appendleft(item)
                    submit_more()
                    continue
                for item, result in zip(batch, results):
                    item.attempts += 1
                    if result.get("seconds") is not None:
                        durations.append(result["seconds"])
                    if result["status"] == "failed" and item.attempts <= retries:
                        item.alone = True
                        queue.appendleft(item)
                    else:
                        _finish(item, result, journal, failures, progress, report)
                submit_more()
        except BaseException:
            with contextlib.suppress(Exception):  # a scheduler that is gone has nothing left to cancel
                client.cancel(list(in_flight))
            raise


def cases_per_task(seconds: Sequence[float]) -> int:
    """How many cases a task runs, from the seconds of the cases done lately: enough for :data:`TASK_SECONDS`.

    One until a case has finished, and for cases of :data:`TASK_SECONDS` or
    more; at most :data:`MOST_CASES_PER_TASK`.

    Examples
    --------
    >>> cases_per_task([]), cases_per_task([0.5, 0.4]), cases_per_task([0.08, 0.07, 0.09]), cases_per_task([0.001])
    (1, 1, 3, 4)
    """
    if not seconds:
        return 1
    typical = max(statistics.median(seconds), 1e-6)
    return max(1, min(MOST_CASES_PER_TASK, int(-(-TASK_SECONDS // typical))))


def _not_run(outcome: Any, killed_worker: type) -> Dict[str, Any]:
    """The record of a case Dask could not run: its worker died, or the scheduler lost or cancelled it.

    ``outcome`` is what ``as_completed`` gives for such a future: ``(type,
    exception, traceback)`` for an error, the exception for a cancellation.
    """
    error = outcome[1] if isinstance(outcome, tuple) else outcome
    if isinstance(error, killed_worker):
        return {"status": "failed", "error": DIED, "traceback": "", "log": ""}
    return {"status": "failed", "error": f"Dask could not run the case: {type(error).__name__}: {error}",
            "traceback": "", "log": ""}


def _finish(item: _Item, result: Dict[str, Any], journal: records_module.Journal,
            failures: records_module.FailureLog, progress: Progress, report: CohortReport) -> None:
    row = item.row
    for key in ("status", "seconds", "error", "version", "vtk_version", "vmtk_version", "worker", "rss",
                "traceback", "log"):
        if key in result:
            row[key] = result[key]
    if result.get("sha256"):
        row["fingerprint"] = result["sha256"]
    row.update(attempts=item.attempts, finished=_now())
    journal.append(_journal_record(row))
    if row["status"] == "done":
        report.done += 1
    else:
        report.failed += 1
        failures.add(row)
        progress.say(f"vmtknumpybatch: failed {row['name']}: {row['error']}")
    progress.update(row["status"])
