"""What a cohort run leaves beside its outputs: the index table, the failure log, the journal, the lock.

In the output folder:

- ``index.csv``: one row per case of the run (:data:`INDEX_COLUMNS`), written
  atomically at the end of every run (also an interrupted one). pandas
  (``pandas.read_csv``) and Dask (``dask.dataframe.read_csv``) read it;
  ``output`` is relative to the folder, so the folder can be moved;
- ``failures.log``: for each case that failed in the last run, its reason,
  its full traceback and the end of its pipe's log;
- ``.cohort/journal.jsonl``: one JSON line per finished case, appended as
  cases finish. It is what a rerun reads to skip cases whose output exists
  and whose input and pipe have not changed, so a run killed at any moment
  resumes where it stopped (a half-written last line is ignored);
- ``.cohort/lock``: held while a run writes into the folder, so that two
  runs cannot mix their outputs.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, TextIO

from .._argument_order import data_and_path
from .._atomic import atomic_output
from .._typing import PathLike
from .task import is_temporary_output

INDEX_NAME = "index.csv"
FAILURES_NAME = "failures.log"
STATE_FOLDER = ".cohort"
JOURNAL_NAME = "journal.jsonl"
LOCK_NAME = "lock"

#: The index table's columns, in order.
INDEX_COLUMNS = (
    "name",          # the case's name (its input's path relative to the inputs' common folder, no extension)
    "input",         # the input file, absolute
    "output",        # the output file, relative to the output folder
    "status",        # done (this run), skipped (output up to date from an earlier run), failed, pending
    "seconds",       # the case's run time on its worker (for a skipped case: when it was made)
    "error",         # why it failed, in one line; the traceback is in failures.log
    "fingerprint",   # the input's "stat:<bytes>:<mtime ns>" or "sha256:<hex>"
    "pipe",          # the pipe (with its {fields}) or "python:<module>.<function>"
    "version",       # vmtkscripts_numpy's version on the worker
    "vtk_version",   # VTK's version on the worker
    "vmtk_version",  # vmtk's version on the worker, empty without vmtk
    "attempts",      # how many times the case ran in the run that made this row
    "worker",        # host:pid of the worker process
    "finished",      # when the case finished, UTC, ISO 8601
)


def state_folder(output_dir: str) -> str:
    return os.path.join(output_dir, STATE_FOLDER)


@contextlib.contextmanager
def locked(output_dir: str) -> Iterator[None]:
    """Hold the output folder's lock for the run; refuse when another run holds it.

    Raises
    ------
    RuntimeError
        When another process is running a cohort into ``output_dir``.
    """
    folder = state_folder(output_dir)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, LOCK_NAME), "a+") as stream:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, as on a file system without locks
            yield
            return
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            stream.seek(0)
            holder = stream.read().strip() or "another process"
            raise RuntimeError(f"{output_dir}: another cohort run ({holder}) is writing into this folder") from None
        stream.seek(0)
        stream.truncate()
        stream.write(f"pid {os.getpid()}\n")
        stream.flush()
        try:
            yield
        finally:
            fcntl.flock(stream.fileno(), fcntl.LOCK_UN)


def remove_temporaries(output_dir: str) -> List[str]:
    """Remove the temporary outputs a killed run left in ``output_dir`` (and its subfolders); returns their paths."""
    removed = []
    for folder, subfolders, files in os.walk(output_dir):
        subfolders[:] = [name for name in subfolders if name != STATE_FOLDER]
        for name in files:
            if is_temporary_output(name):
                path = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    os.unlink(path)
                    removed.append(path)
    return removed


class Journal:
    """The per-case records of every run into one output folder, appended as cases finish."""

    def __init__(self, output_dir: str) -> None:
        self.path = os.path.join(state_folder(output_dir), JOURNAL_NAME)
        self._stream: Optional[TextIO] = None

    def read(self) -> Dict[str, Dict[str, Any]]:
        """The latest record of each case name (later lines win; a damaged line is skipped)."""
        records: Dict[str, Dict[str, Any]] = {}
        try:
            with open(self.path, encoding="utf-8") as stream:
                for line in stream:
                    try:
                        record = json.loads(line)
                    except ValueError:  # the last line of a run killed while writing it
                        continue
                    if isinstance(record, dict) and isinstance(record.get("name"), str):
                        records[record["name"]] = record
        except FileNotFoundError:
            pass
        return records

    def append(self, record: Dict[str, Any]) -> None:
        """Add one record, flushed at once so that a killed run keeps it."""
        if self._stream is None:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self._stream = open(self.path, "a", encoding="utf-8")
        self._stream.write(json.dumps(record, sort_keys=True) + "\n")
        self._stream.flush()

    def rewrite(self, records: Iterable[Dict[str, Any]]) -> None:
        """Replace the journal by ``records`` (one per case), atomically; keeps it from growing run after run."""
        self.close()
        with atomic_output(self.path) as temporary:
            with open(temporary, "w", encoding="utf-8") as stream:
                for record in records:
                    stream.write(json.dumps(record, sort_keys=True) + "\n")

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


class FailureLog:
    """``failures.log``: each failed case's reason, traceback and log tail, written as failures happen."""

    def __init__(self, output_dir: str) -> None:
        self.path = os.path.join(output_dir, FAILURES_NAME)
        self._stream: Optional[TextIO] = None
        self.count = 0

    def add(self, record: Dict[str, Any]) -> None:
        if self._stream is None:
            self._stream = open(self.path, "w", encoding="utf-8")
        self.count += 1
        lines = [f"=== {record['name']}: {record['error']}", f"input: {record.get('input', '')}",
                 f"attempts: {record.get('attempts', 1)}"]
        if record.get("traceback"):
            lines += ["", record["traceback"].rstrip()]
        if record.get("log"):
            lines += ["", "the pipe's last log lines:", record["log"].rstrip()]
        self._stream.write("\n".join(lines) + "\n\n")
        self._stream.flush()

    def close(self) -> None:
        """Close the log; a run without failures removes the previous run's log."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        elif self.count == 0:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)


def write_index(rows: Sequence[Dict[str, Any]], path: PathLike) -> Path:
    """Write the index table (CSV, UTF-8, :data:`INDEX_COLUMNS`) atomically; returns ``path`` as a Path.

    The older order ``write_index(path, rows)`` still works, with a deprecation warning.
    """
    rows, path = data_and_path(rows, path, "write_index", (list, tuple))
    with atomic_output(path) as temporary:
        with open(temporary, "w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=INDEX_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({key: _cell(row.get(key, "")) for key in INDEX_COLUMNS})
    return Path(path)


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else value


def read_index(path: str) -> List[Dict[str, Any]]:
    """The rows of an index table as dicts, ``seconds`` as float and ``attempts`` as int.

    Examples
    --------
    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "index.csv")
    >>> _ = write_index([{"name": "a", "status": "done", "seconds": 0.25, "attempts": 1}], path)
    >>> row = read_index(path)[0]
    >>> row["name"], row["status"], row["seconds"], row["attempts"]
    ('a', 'done', 0.25, 1)
    """
    if os.path.isdir(path):
        path = os.path.join(path, INDEX_NAME)
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:
        row["seconds"] = float(row["seconds"]) if row.get("seconds") else float("nan")
        row["attempts"] = int(row["attempts"]) if row.get("attempts") else 0
    return rows
