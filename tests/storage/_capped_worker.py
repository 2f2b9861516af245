"""A child process that reads ArrayDict files on request, under a memory limit (see ``capped_reader`` in conftest).

Run as ``python _capped_worker.py MEMORY_BYTES``. After importing what a read
needs, it limits its address space to what it uses then plus ``MEMORY_BYTES``,
and answers each request on standard input — a pickled ``(path, format,
max_ratio)`` — with a pickled ``(outcome, value)`` on the standard output it
started with: ``("dict", tree)``, ``("DataFileError", message)`` or
``("exception", traceback)`` for anything else. A crash or a hang is seen by
the parent as the end of the pipe or a timeout. Everything else the process
prints goes to standard error.
"""

import os
import pickle
import resource
import struct
import sys
import traceback


def _read_exactly(stream, size):
    data = b""
    while len(data) < size:
        piece = stream.read(size - len(data))
        if not piece:
            return None
        data += piece
    return data


def _address_space():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def main(memory):
    answers = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # what HDF5 or anything else prints must not mix with the answers
    requests = os.fdopen(0, "rb", buffering=0)

    import h5py  # noqa: F401  (imported before the limit, as every read needs it)
    import numpy  # noqa: F401

    from vmtkscripts_numpy import storage
    from vmtkscripts_numpy.errors import DataFileError

    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory, resource.RLIM_INFINITY))
    answers.write(b"ready\n")
    while True:
        header = _read_exactly(requests, 8)
        if header is None:
            return
        path, format_name, max_ratio = pickle.loads(_read_exactly(requests, struct.unpack("<Q", header)[0]))
        options = {} if max_ratio is None else {"max_ratio": max_ratio}
        try:
            outcome = ("dict", storage.read(path, format=format_name, **options))
        except DataFileError as error:
            outcome = ("DataFileError", str(error))
        except BaseException:  # anything else is what the tests look for
            outcome = ("exception", traceback.format_exc())
        try:
            answer = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            answer = pickle.dumps(("exception", "MemoryError while sending the answer"))
        answers.write(struct.pack("<Q", len(answer)) + answer)


if __name__ == "__main__":
    main(int(sys.argv[1]))
