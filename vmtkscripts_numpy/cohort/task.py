"""One case, as a worker runs it: a pipe or a function, into a temporary file moved into place at the end.

This module runs on Dask's workers (and is importable without Dask). A case
never raises: whatever goes wrong becomes a ``failed`` record with a one-line
reason and the full traceback, so that one bad case cannot stop a cohort.

The output is written under a temporary name beside the final one, with the
same extension (the storage format is chosen by extension):
``OUTPUTDIR/.case01.cohort-partial-1f2e3d4c.hdf5``. Only when the pipe or the
function has succeeded and the file is complete is it renamed to
``OUTPUTDIR/case01.hdf5``, in one step; a case that fails or whose worker dies
leaves no output (the runner removes a killed run's temporary files when it
next runs).
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import socket
import string
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

#: Marks the runner's temporary outputs (and nothing else): ``.<name>.cohort-partial-<token><ext>``.
TEMPORARY_MARK = ".cohort-partial-"

#: Lines of a failed pipe's log kept with its traceback.
LOG_TAIL_LINES = 40


@dataclass(frozen=True)
class Job:
    """What a worker needs to run one case (it travels to the worker, so it holds no open resources).

    Exactly one of ``pipe`` (the pipe's words, with ``{fields}`` still to fill)
    and ``function`` is given.
    """

    name: str
    input: str
    output: str
    extension: str
    fields: Dict[str, str] = field(default_factory=dict)
    pipe: Optional[Tuple[str, ...]] = None
    function: Optional[Callable[[Any], Any]] = None
    reader: Optional[Callable[[str], Any]] = None
    hash_input: bool = False


class VtkError(RuntimeError):
    """VTK reported errors while a case ran, though nothing raised; ``messages`` holds them all."""

    def __init__(self, message: str, messages: Sequence[str]) -> None:
        super().__init__(message)
        self.messages = list(messages)

    def __str__(self) -> str:
        return "\n".join([self.args[0], "all of VTK's errors:"] + [f"  {line}" for line in self.messages])


def temporary_output(output: str, extension: str) -> str:
    """The temporary name a case writes before its output is complete: hidden, same folder, same extension.

    Examples
    --------
    >>> name = temporary_output("/out/p07/surface.hdf5", ".hdf5")
    >>> name.startswith("/out/p07/.surface.cohort-partial-") and name.endswith(".hdf5")
    True
    """
    folder, base = os.path.split(output)
    stem = base[: len(base) - len(extension)] if extension and base.endswith(extension) else base
    return os.path.join(folder, f".{stem}{TEMPORARY_MARK}{uuid.uuid4().hex[:8]}{extension}")


def is_temporary_output(filename: str) -> bool:
    """Whether ``filename`` (a base name) is one of the runner's temporary outputs, or a writer's temporary of one."""
    return filename.startswith(".") and TEMPORARY_MARK in filename


def pipe_fields(words: Sequence[str]) -> List[str]:
    """The ``{field}`` names a pipe's words use, in order of first use.

    Raises
    ------
    ValueError
        For a field with attribute or index access, a conversion or a format
        (``{input.name}``, ``{input!r}``, ``{a:>3}``), or an unbalanced brace.

    Examples
    --------
    >>> pipe_fields(["vmtksurfacereader", "-ifile", "{input}", "-ofile", "{output}", "{{literal}}"])
    ['input', 'output']
    """
    names: List[str] = []
    for word in words:
        try:
            parsed = list(string.Formatter().parse(word))
        except ValueError as error:
            raise ValueError(f"pipe word {word!r}: {error}; write a literal brace as {{{{ or }}}}") from None
        for _, name, spec, conversion in parsed:
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                raise ValueError(f"pipe word {word!r}: fields are plain names like {{input}}, not {{{name}...}}")
            if name not in names:
                names.append(name)
    return names


def fill_pipe(words: Sequence[str], values: Dict[str, str]) -> List[str]:
    """The pipe's words with each ``{field}`` replaced by its value; each word stays one word.

    Only plain names are substituted (no attribute access, no format code), so
    a value cannot reach into Python objects.

    Examples
    --------
    >>> fill_pipe(["-ifile", "{input}", "-ofile", "{output}"], {"input": "my case.vtp", "output": "o.hdf5"})
    ['-ifile', 'my case.vtp', '-ofile', 'o.hdf5']
    """
    filled = []
    for word in words:
        parts = []
        for literal, name, _, _ in string.Formatter().parse(word):
            parts.append(literal)
            if name is not None:
                parts.append(values[name])
        filled.append("".join(parts))
    return filled


def one_line_reason(error: BaseException) -> str:
    """The first line of an error's message; the class name in front unless it is the package's own error."""
    from ..errors import VmtkNumpyError
    from ..pypes import PypeError

    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    message = lines[0] if lines else ""
    if isinstance(error, (PypeError, VmtkNumpyError, VtkError)) and message:
        return message
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


@functools.lru_cache(maxsize=1)
def versions() -> Dict[str, str]:
    """The package's, VTK's and vmtk's versions on this worker (vmtk's empty when it is not installed)."""
    import importlib.metadata

    from .. import __version__

    try:
        from vtkmodules.vtkCommonCore import vtkVersion

        vtk = vtkVersion.GetVTKVersion()
    except ImportError:
        vtk = ""
    try:
        vmtk = importlib.metadata.version("vmtk")
    except importlib.metadata.PackageNotFoundError:
        vmtk = ""
    return {"version": __version__, "vtk_version": vtk, "vmtk_version": vmtk}


def resident_memory() -> int:
    """This process's resident memory in bytes (0 when it cannot be measured)."""
    try:
        import psutil
    except ImportError:
        return 0
    return int(psutil.Process().memory_info().rss)


def file_sha256(path: str) -> str:
    """``"sha256:<hex digest>"`` of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(functools.partial(stream.read, 1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def run_case(job: Job) -> Dict[str, Any]:
    """Run one case and return its record; never raises for a failing case.

    Returns
    -------
    dict
        ``status`` (``"done"`` or ``"failed"``), ``seconds``, ``error`` (one
        line, empty when done), ``traceback`` and ``log`` (the pipe's last log
        lines; both empty when done), ``worker`` (host:pid), ``rss`` (the
        worker's resident bytes after the case), ``sha256`` (when asked) and
        the versions of :func:`versions`.
    """
    started = time.perf_counter()
    temporary = temporary_output(job.output, job.extension)
    log = io.StringIO()
    record: Dict[str, Any] = {"name": job.name, "status": "done", "error": "", "traceback": "", "log": "",
                              "sha256": ""}
    try:
        if not os.path.isfile(job.input):
            raise FileNotFoundError(f"{job.input}: no such file")
        if job.hash_input:
            record["sha256"] = file_sha256(job.input)
        os.makedirs(os.path.dirname(job.output), exist_ok=True)
        from ..vtkfiles import capture_vtk_messages

        # VTK's errors fail the case, as they fail the package's own readers: vmtk's readers, for one, report a
        # damaged file only so, and hand on an empty dataset. They go to the failure log, not the worker's stderr.
        with capture_vtk_messages() as messages:
            try:
                if job.function is not None:
                    _run_function(job, temporary)
                else:
                    _run_pipe(job, temporary, log)
            except Exception as error:
                if not messages.errors:
                    raise
                # What VTK said first is usually the cause ("Error parsing XML"), the exception its consequence.
                raise VtkError(f"{one_line_reason(error)}; VTK reported an error: {messages.summary()}",
                               messages.errors) from error
        if messages.errors:
            raise VtkError(f"VTK reported an error: {messages.summary()}", messages.errors)
        _check_complete(temporary, job.extension)
        os.replace(temporary, job.output)
    except (Exception, SystemExit) as error:
        record.update(status="failed", error=one_line_reason(error), traceback=traceback.format_exc(),
                      log="".join(log.getvalue().splitlines(keepends=True)[-LOG_TAIL_LINES:]))
    finally:
        # Only a failed case lists its folder (for what a writer made of the temporary name): listing a folder of
        # a hundred thousand outputs after every case would cost the cohort quadratic time.
        if record["status"] != "done" or os.path.lexists(temporary):
            _remove_temporaries(temporary)
    record.update(versions())
    record.update(seconds=time.perf_counter() - started, worker=f"{socket.gethostname()}:{os.getpid()}",
                  rss=resident_memory())
    return record


def run_cases(jobs: Sequence[Job]) -> List[Dict[str, Any]]:
    """Run cases one after another in one task: their records, in order (see :func:`run_case`)."""
    return [run_case(job) for job in jobs]


def _run_pipe(job: Job, temporary: str, log: io.StringIO) -> None:
    from ..pypes import PypeRun

    assert job.pipe is not None
    values = dict(job.fields, input=job.input, output=temporary, name=job.name)
    pipe = PypeRun(fill_pipe(job.pipe, values), output_stream=log)
    if "output" not in pipe_fields(job.pipe):
        # The pipe does not write {output}: the runner writes the ArrayDict of its last numpy script.
        arrays = next((script.ArrayDict for script in reversed(pipe.ScriptObjectList)
                       if isinstance(getattr(script, "ArrayDict", None), dict)), None)
        if arrays is None:
            raise ValueError("the pipe neither writes {output} nor ends with a script that gives an ArrayDict "
                             "(such as vmtksurfacetonumpy)")
        _write(temporary, arrays)


def _run_function(job: Job, temporary: str) -> None:
    assert job.function is not None
    data = (job.reader or read_input)(job.input)
    arrays = job.function(data)
    if not isinstance(arrays, dict):
        raise TypeError(f"the function returned a {type(arrays).__name__}, not an ArrayDict (a dict)")
    _write(temporary, arrays)


def _write(path: str, arrays: Dict[str, Any]) -> None:
    from ..storage import write

    write(arrays, path)


def _check_complete(temporary: str, extension: str) -> None:
    """Refuse a temporary output that is missing, empty, or not of the storage format its extension names."""
    from .. import formats
    from ..storage import guess_format

    if not os.path.isfile(temporary):
        folder, base = os.path.split(temporary)
        stem = base[: len(base) - len(extension)] if extension else base
        others = [name for name in os.listdir(folder) if name.startswith(stem) and name != base]
        hint = f" (it wrote {others[0][len(stem):]!r} instead: give that -outputext)" if others else ""
        raise ValueError(f"the pipe wrote no file at {{output}}{hint}")
    if os.path.getsize(temporary) == 0:
        raise ValueError("the pipe wrote an empty file at {output}")
    expected = guess_format(temporary)
    found = formats.identify(temporary, "arraydict") if expected else None
    if expected and (found is None or found.name != expected):
        raise ValueError(f"the file written at {{output}} is not {formats.by_name('arraydict', expected).a_file}: "
                         "incomplete or of another format")


def _remove_temporaries(temporary: str) -> None:
    """Remove a case's temporary output and anything a writer made from its name (another extension)."""
    folder, base = os.path.split(temporary)
    # ".case01.cohort-partial-1f2e3d4c": the name up to the token, whatever a writer appended to it.
    prefix = base[: base.index(TEMPORARY_MARK) + len(TEMPORARY_MARK) + 8]
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) or name.startswith("." + prefix):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass


# --- reading an input for a function ----------------------------------------------


def read_input(path: str) -> Any:
    """An input file as a function gets it: an ArrayDict file as a dict, a VTK file as a VTK object.

    The kind of VTK file (surface, mesh or image) comes from its extension;
    where the extension is shared (``.vtk``, ``.vtkhdf``, ``.hdf``), from the
    file's own header, as the registry (:func:`vmtkscripts_numpy.formats.identify`) reads it.

    Raises
    ------
    DataFileError
        When the file cannot be read, or its kind cannot be told.
    """
    from .. import formats, storage
    from ..errors import DataFileError
    from ..vtkfiles import read_image, read_mesh, read_surface

    readers = {"surface": read_surface, "mesh": read_mesh, "image": read_image}
    kinds = [kind for kind in readers if formats.by_extension(kind, path) is not None]
    if len(kinds) > 1 or (kinds and storage.guess_format(path)):
        found = formats.identify(path)
        kind = found.kind if found is not None and found.kind in readers else None
        if kind is None and storage.guess_format(path):
            return storage.read(path)
        if kind is None:
            raise DataFileError(path, f"cannot tell whether it holds a {' or '.join(kinds)}")
        return readers[kind](path)
    if kinds:
        return readers[kinds[0]](path)
    return storage.read(path)
