"""A read server for the crash tests: every read runs in a forked child with a memory cap and time limits.

Run as a script, it imports the package and VTK once, then answers one JSON
request per line on standard input (``{"kind": "surface", "path": ..., "then":
[...]}``) with one JSON line on standard output::

    {"status": "dataset" | "DataFileError" | "error" | "crash" | "hang", "detail": ..., "stderr": ...}

(standard error and output of the child together). Each request is served by a
fork of the warm server, so a read costs a fork (tens of milliseconds), not a Python
start and a VTK import. The child gets ``RLIMIT_AS`` (its address space at the
fork plus ``memory`` bytes) and ``RLIMIT_CPU``; the server kills it after
``timeout`` seconds of wall time. A child killed by a signal is a ``crash``
(the signal is named), one that runs out of time a ``hang``. What the child
writes to standard error (VTK's messages) comes back in ``stderr``.

``then`` lists what to do with a dataset once read, in order:

- ``"dict"``: convert it to an ArrayDict (``polydata_to_dict``, ``mesh_to_dict``, ``image_to_dict``);
- ``"celltopoint"``: ``polydata_to_dict(..., cell_to_point=True)`` (surfaces);
- ``"write:.ext"``: write it to a new file with that extension, in a scratch folder.

An ``ArrayDictError`` or ``DataFileError`` from a step (a mesh with polyhedra
has no dict, a surface without polygons no STL file) is named in ``detail``
and the status stays ``dataset``: the status is the read's.
"""

import json
import os
import resource
import select
import signal
import sys
import tempfile
import time
import traceback
import warnings


def _read_and_use(kind, path, then, scratch):
    import vmtkscripts_numpy as vn
    from vmtkscripts_numpy.errors import ArrayDictError, DataFileError

    warnings.simplefilter("ignore")
    reader = {"surface": vn.read_surface, "mesh": vn.read_mesh, "image": vn.read_image}[kind]
    data = reader(path)
    notes = []
    for step in then:
        try:
            if step == "dict":
                {"surface": vn.polydata_to_dict, "mesh": vn.mesh_to_dict, "image": vn.image_to_dict}[kind](data)
            elif step == "celltopoint":
                vn.polydata_to_dict(data, cell_to_point=True)
            elif step.startswith("write:"):
                writer = {"surface": vn.write_surface, "mesh": vn.write_mesh, "image": vn.write_image}[kind]
                writer(data, os.path.join(scratch, "written" + step[len("write:"):]))
            else:
                raise ValueError(f"unknown step {step!r}")
        except (ArrayDictError, DataFileError) as error:
            notes.append(f"{step}: {type(error).__name__}: {error}")
    return "; ".join(notes) or f"{type(data).__name__}"


def _child(request, answer_fd, stderr_fd, memory, cpu_seconds):
    # Both of VTK's outputs go to the file; standard output is the server's answers.
    os.dup2(stderr_fd, 1)
    os.dup2(stderr_fd, 2)
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + memory, size + memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    from vmtkscripts_numpy.errors import DataFileError

    with tempfile.TemporaryDirectory() as scratch:
        try:
            answer = {"status": "dataset", "detail": _read_and_use(request["kind"], request["path"],
                                                                   request.get("then", ()), scratch)}
        except DataFileError as error:
            answer = {"status": "DataFileError", "detail": str(error)}
        except BaseException as error:  # noqa: B902 - anything else is what the tests look for
            answer = {"status": "error", "detail": f"{type(error).__name__}: {error}",
                      "traceback": traceback.format_exc()[-3000:]}
    os.write(answer_fd, json.dumps(answer).encode())
    os._exit(0)


def serve_one(request, memory, timeout):
    """Read one file in a forked child; return the answer dict."""
    answer_read, answer_write = os.pipe()
    with tempfile.TemporaryFile() as stderr_file:
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(answer_read)
            try:
                _child(request, answer_write, stderr_file.fileno(), memory, max(1, int(timeout)))
            finally:
                os._exit(70)
        os.close(answer_write)
        chunks, status = [], None
        while True:
            left = timeout - (time.monotonic() - started)
            ready, _, _ = select.select([answer_read], [], [], max(left, 0))
            if ready:
                chunk = os.read(answer_read, 1 << 16)
                if chunk:
                    chunks.append(chunk)
                    continue
                break  # the child closed its end: it has finished or died
            os.kill(pid, signal.SIGKILL)
            status = "hang"
            break
        os.close(answer_read)
        _, wait_status = os.waitpid(pid, 0)
        stderr_file.seek(0)
        stderr = stderr_file.read().decode("utf-8", "replace")[-4000:]
    if status == "hang":
        return {"status": "hang", "detail": f"no answer after {timeout} s", "stderr": stderr}
    if os.WIFSIGNALED(wait_status):
        number = os.WTERMSIG(wait_status)
        name = signal.Signals(number).name
        if number == signal.SIGXCPU:
            return {"status": "hang", "detail": f"more than {timeout} s of CPU ({name})", "stderr": stderr}
        return {"status": "crash", "detail": name, "stderr": stderr}
    try:
        answer = json.loads(b"".join(chunks).decode())
    except ValueError:
        return {"status": "crash", "detail": f"exit status {os.WEXITSTATUS(wait_status)}, no answer",
                "stderr": stderr}
    answer["stderr"] = stderr
    answer["seconds"] = round(time.monotonic() - started, 3)
    return answer


def main():
    memory, timeout = int(sys.argv[1]), float(sys.argv[2])
    # Warm up: everything a read may import, so that each fork starts ready.
    import h5py  # noqa: F401
    import vtkmodules.vtkIOGeometry  # noqa: F401
    import vtkmodules.vtkIOHDF  # noqa: F401
    import vtkmodules.vtkIOImage  # noqa: F401
    import vtkmodules.vtkIOLegacy  # noqa: F401
    import vtkmodules.vtkIOPLY  # noqa: F401
    import vtkmodules.vtkIOXML  # noqa: F401

    try:
        import pydicom  # noqa: F401  (DICOM reads, where the dicom extra is installed)
    except ImportError:
        pass

    import vmtkscripts_numpy as vn

    for name in ("read_surface", "read_mesh", "read_image", "polydata_to_dict", "mesh_to_dict", "image_to_dict",
                 "write_surface", "write_mesh", "write_image"):
        getattr(vn, name)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(serve_one(json.loads(line), memory, timeout)), flush=True)


if __name__ == "__main__":
    main()
