"""Command-line entry points: ``vmtknumpy`` and one command per script."""

from __future__ import annotations

import importlib.util
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import List, Optional, Sequence

from .errors import PypeError
from .lookup import PACKAGE, available_script_names, find_script_class
from .pype import RUNNER_FLAGS, RUNNER_NAMES, USER_ERRORS, Pype, script_name_from_word, strip_runner

#: Runner flags that answer a question instead of running a pipe.
INFO_FLAGS = ("--help", "--version", "--query")

#: Set this environment variable to see full tracebacks of user errors too.
TRACEBACK_VARIABLE = "VMTKNUMPY_TRACEBACK"


class pypeMain:
    """Run a pipe from a full argument vector, as a script's ``__main__`` block does.

    Examples
    --------
    >>> main = pypeMain()
    >>> main.Arguments = ["vmtksurfacereader", "-ifile", "aorta.vtp"]  # doctest: +SKIP
    >>> main.Execute()  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self.Arguments: Optional[List[str]] = None

    def Execute(self) -> Pype:
        pipe = Pype()
        pipe.Arguments = list(self.Arguments if self.Arguments is not None else sys.argv)
        pipe.ParseArguments()
        pipe.Execute()
        return pipe


def first_doc_line(script_name: str, package: str = "") -> str:
    """The first sentence of a script's doc (of ``package``'s script, if given), for listings."""
    try:
        doc = find_script_class(script_name, package=package or None)().ScriptDoc
    except Exception as error:  # a broken third-party script must not break the listing
        return f"(cannot load: {error})"
    return doc.strip().split("\n")[0]


def runner_help(package: str = "vmtkscripts_numpy") -> str:
    """``vmtknumpy --help``: usage and every script of the package with its one-line doc."""
    lines = [
        "usage: vmtknumpy [pyperun] [--nolog] [--noauto] SCRIPT [-option value ...] [--pipe SCRIPT ...]",
        "",
        "Run a pipe of vmtk-style scripts; 'SCRIPT --help' shows a script's options.",
        "",
        "scripts:",
    ]
    names = available_script_names(package)
    width = max((len(name) for name in names), default=0)
    lines += [f"  {name.ljust(width)}  {first_doc_line(name, package)}" for name in names]
    if importlib.util.find_spec("vmtk") is not None:
        lines += [
            "",
            "vmtk is installed: its scripts run in pipes too, and a name both packages have means vmtk's",
            "script, except the numpy scripts; 'vmtkscripts_numpy.NAME' or 'vmtk.NAME' picks one explicitly.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command named by ``argv[0]`` (``vmtknumpy`` or a script name); return the exit code.

    Errors in the user's input are printed on one line to standard error,
    without a traceback, and give exit code 1.
    """
    arguments = list(sys.argv if argv is None else argv)
    command = script_name_from_word(arguments[0]) if arguments else "vmtknumpy"
    if "--version" in arguments[1:]:
        # Anywhere on the line, as after a script's name (vmtksurfacetonumpy --version).
        from .. import __version__

        sys.stdout.write(f"{command} (vmtkscripts_numpy) {__version__}\n")
        return 0
    if command in RUNNER_NAMES:
        flags, rest = strip_runner(arguments)
        if not (flags or rest):
            # Nothing to run: usage on standard error and exit code 2, as command-line tools do.
            sys.stderr.write(runner_help())
            return 2
        if "--help" in flags or rest[:1] == ["-h"]:
            sys.stdout.write(runner_help())
            return 0
        if "--query" in flags:
            sys.stdout.write("".join(f"{name}\n" for name in available_script_names()))
            return 0
        unknown = [word for word in flags if word not in RUNNER_FLAGS]
        if unknown:
            sys.stderr.write(
                f"vmtknumpy: error: unknown flag {unknown[0]}; flags are {', '.join(RUNNER_FLAGS + INFO_FLAGS)}\n"
            )
            return 2
    if arguments and _is_own_script_file(arguments[0]):
        # `python -m vmtkscripts_numpy.vmtksurfacereader`: this package's script, even where vmtk has one.
        arguments[0] = f"{PACKAGE}.{command}"
    if command not in RUNNER_NAMES and len(arguments) == 1:
        # A script's command with nothing to do: its usage on standard error and exit code 2, as vmtknumpy's.
        return _script_usage(arguments[0])
    if command not in RUNNER_NAMES:
        # A command of its own (vmtknumpybatch --nolog ...): the runner's flags may follow its name.
        count = 0
        while 1 + count < len(arguments) and arguments[1 + count] in RUNNER_FLAGS:
            count += 1
        arguments = arguments[1:1 + count] + arguments[:1] + arguments[1 + count:]
    main_object = pypeMain()
    main_object.Arguments = arguments
    warnings.showwarning = _show_warning_on_one_line
    try:
        main_object.Execute()
    except KeyboardInterrupt:
        sys.stderr.write(f"{command}: interrupted\n")
        return 130
    except USER_ERRORS as error:
        if _is_broken_pipe(error):
            # The reader of our output went away (e.g. `| head`): stop quietly, as Unix tools do.
            sys.stdout = open(os.devnull, "w")
            return 0
        if os.environ.get(TRACEBACK_VARIABLE):
            traceback.print_exc()
        message = str(error) or type(error).__name__
        if isinstance(error, MemoryError):
            message = "out of memory" + (f": {error}" if str(error) else "")
        if not isinstance(error, PypeError):
            message = f"{command}: {message}"
        sys.stderr.write(f"error: {message}\n")
        return 1
    return 0


def _script_usage(word: str) -> int:
    """Write the usage of the script named ``word`` to standard error; the exit code of a command given nothing."""
    name = script_name_from_word(word)
    try:
        script = find_script_class(name)()
    except PypeError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    sys.stderr.write(script.GetUsageString())
    return 2


def _is_own_script_file(word: str) -> bool:
    """Whether ``word`` is the path of one of this package's script modules (as ``python -m`` gives it)."""
    path = Path(word)
    return path.suffix == ".py" and path.resolve().parent == Path(__file__).resolve().parents[1]


def _is_broken_pipe(error: BaseException) -> bool:
    return isinstance(error, BrokenPipeError) or isinstance(error.__cause__, BrokenPipeError)


def _show_warning_on_one_line(message, category, filename, lineno, file=None, line=None) -> None:
    # On the command line a warning is for the user, not the developer: no source location.
    (file or sys.stderr).write(f"warning: {message}\n")


if __name__ == "__main__":
    sys.exit(main(["vmtknumpy"] + sys.argv[1:]))
