"""Pipes of scripts: parsing ``--pipe`` chains, wiring members between scripts, running them."""

from __future__ import annotations

import os
import shlex
import sys
from typing import Any, List, Optional, Sequence, TextIO, Tuple, Union

from .errors import PypeError
from .lookup import find_script_class, split_script_name
from .member import SCALAR_TYPES, pypeMember
from .script import parse_arguments, pypeScript

#: Runner flags accepted before the first script name (``--help`` and ``--query`` are answered by the CLI).
RUNNER_FLAGS = ("--nolog", "--noauto")
#: Names under which the argument list starts with the runner itself rather than a script.
RUNNER_NAMES = ("vmtknumpy", "pyperun", "pype")

#: Exceptions that describe bad input rather than a bug; a pipe reports them as :class:`PypeError`.
USER_ERRORS = (PypeError, ValueError, OSError, MemoryError, RecursionError)
#: vmtk's scripts report bad input as a ``RuntimeError`` (their ``PrintError`` raises one).
FOREIGN_USER_ERRORS = USER_ERRORS + (RuntimeError,)


class NullOutputStream:
    """A stream that discards what is written to it."""

    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def script_name_from_word(word: str) -> str:
    """``/usr/bin/vmtksurfacereader.exe`` -> ``vmtksurfacereader``; ``vmtk.vmtkcenterlines`` stays qualified."""
    word = word.strip()
    if split_script_name(word)[0]:
        return word
    return os.path.splitext(os.path.basename(word))[0]


def strip_runner(arguments: Sequence[str]) -> Tuple[List[str], List[str]]:
    """``(runner flags, the rest)`` of a command line, without the runner's own names.

    Accepts what vmtk's runner accepts: ``vmtknumpy [pyperun] [--flags] script ...``.
    """
    rest = list(arguments)
    while rest and script_name_from_word(rest[0]) in RUNNER_NAMES:
        rest.pop(0)
    flags = []
    while rest and rest[0].startswith("--"):
        flags.append(rest.pop(0))
    return flags, rest


def one_line_error(script: Any, message: Any) -> str:
    """A vmtk script's ``PrintError`` message as one line: no usage dump, no ``Error:`` prefix."""
    if isinstance(message, MemoryError):
        message = f"out of memory{': ' if str(message) else ''}{message}"
    text = str(message)
    usage = ""
    try:
        usage = script.GetUsageString()
    except Exception:  # a broken usage string must not hide the error itself
        pass
    if usage and usage in text:
        text = text.replace(usage, "\n")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    text = "; ".join(lines) or "failed without a message"
    for prefix in ("Error: ", "error: ", "Error:", "ERROR: "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    name = getattr(script, "ScriptName", "") or type(script).__name__
    return text if text.startswith(name) else f"{name}: {text}"


class Pype:
    """A chain of scripts joined by ``--pipe``.

    Each script's input members are taken, in order of precedence, from its own
    options, from an explicit pipe (``-i @vmtksurfacereader.o``) or from
    automatic piping: the most recent earlier output (or pushed input) with the
    same member name and type.

    Examples
    --------
    >>> pipe = Pype()
    >>> pipe.SetArgumentsString("vmtksurfacereader -ifile in.vtp --pipe vmtksurfacewriter -ofile out.stl")
    >>> pipe.ParseArguments()
    >>> [name for name, _ in pipe.ScriptList]
    ['vmtksurfacereader', 'vmtksurfacewriter']
    """

    def __init__(self) -> None:
        self.ScriptObjectList: List[Any] = []
        self.ScriptList: List[Tuple[str, List[str]]] = []
        self.AutoPipe = 1
        self.LogOn = 1
        self.ScriptName = "pype"
        self.ExitOnError = 0
        self.InputStream: TextIO = sys.stdin
        self.OutputStream: Any = sys.stdout
        self.Arguments: Optional[List[str]] = None

    def GetUsageString(self) -> str:
        return (
            "Usage: vmtknumpy [--nolog] [--noauto] firstScript -option value ... "
            "--pipe secondScript -option @firstScript.option -id 2 "
            "--pipe thirdScript -option @secondScript-2.option"
        )

    def SetOutputStreamToNull(self) -> None:
        self.OutputStream = NullOutputStream()

    def PrintLog(self, logMessage: str, indent: int = 0) -> None:
        if self.LogOn:
            self.OutputStream.write("    " * indent + logMessage + "\n")

    def PrintError(self, errorMessage: str) -> None:
        raise PypeError(errorMessage)

    def SetArgumentsString(self, argumentsString: str) -> None:
        """Split a pipe given as one string, honouring quotes (``-ifile "my file.vtp"``)."""
        try:
            self.Arguments = shlex.split(argumentsString)
        except ValueError as error:
            raise PypeError(f"cannot split the pipe {argumentsString!r}: {error}") from None

    # parsing ------------------------------------------------------------
    def ParseArguments(self) -> None:
        """Split ``self.Arguments`` into ``self.ScriptList`` of ``(script name, arguments)``."""
        flags, arguments = strip_runner(self.Arguments or [])
        for flag in flags:
            if flag not in RUNNER_FLAGS:
                raise PypeError(f"unknown runner flag {flag}; flags are {', '.join(RUNNER_FLAGS)}")
            if flag == "--noauto":
                self.AutoPipe = 0
            elif flag == "--nolog":
                self.LogOn = 0
        self.ScriptList = []
        current: List[str] = []
        for word in arguments + ["--pipe"]:
            if word != "--pipe":
                current.append(word)
                continue
            if not current:
                if self.ScriptList or arguments:
                    raise PypeError("empty script in pipe: '--pipe' must be followed by a script name")
                break
            name = script_name_from_word(current[0])
            if current[0].startswith("-"):
                raise PypeError(f"expected a script name, found option {current[0]!r}")
            # The runner's flags may follow a script's name too (vmtksurfacetonumpy --nolog ...): they
            # apply to the whole pipe, as before the first script.
            if "--nolog" in current[1:]:
                self.LogOn = 0
            if "--noauto" in current[1:]:
                self.AutoPipe = 0
            self.ScriptList.append((name, [word for word in current[1:] if word not in RUNNER_FLAGS]))
            current = []

    # wiring -------------------------------------------------------------
    @staticmethod
    def GetCompatibleMember(member: pypeMember, script: Any) -> Optional[pypeMember]:
        """The output (or pushed input) member of ``script`` that can feed ``member``, if any."""
        pushed = [candidate for candidate in script.InputMembers if candidate.Pushed]
        for candidate in pushed + list(script.OutputMembers):
            if (
                candidate.AutoPipe
                and candidate.MemberName == member.MemberName
                and candidate.MemberType == member.MemberType
            ):
                return candidate
        return None

    def AutoPipeScriptObject(self, scriptObject: Any) -> None:
        """Point every auto-pipeable input member at the most recent compatible earlier member."""
        self.PrintLog("Automatic piping " + scriptObject.ScriptName)
        for member in scriptObject.InputMembers:
            if not member.AutoPipe:
                continue
            for candidate in reversed(self.ScriptObjectList):
                piped = self.GetCompatibleMember(member, candidate)
                if piped is not None:
                    member.MemberPipe = (candidate, piped.MemberName)
                    self.PrintLog(f"{member.MemberName} = {self._Label(candidate)}.{piped.MemberName}", 1)
                    break

    @staticmethod
    def _Label(script: Any) -> str:
        return f"{script.ScriptName}-{script.Id}"

    def _Matches(self, script: Any, name: str) -> bool:
        name = split_script_name(name)[1].lower()
        return name in (script.ScriptName.lower(), getattr(script, "_PypeModuleName", "").lower())

    def ExplicitPipeScriptObject(self, scriptObject: Any) -> None:
        """Resolve ``-option @script[-id].option``, ``@.option`` and ``@`` (None) for each member."""
        for member in scriptObject.InputMembers:
            pipe = member.ExplicitPipe
            if not pipe:
                continue
            if pipe == "None":
                # A bare @: no piping into this member. An object input is unset, as in vmtk;
                # an option's value keeps its default (None would break the script).
                member.MemberPipe = None
                if member.MemberType not in SCALAR_TYPES:
                    setattr(scriptObject, member.MemberName, None)
                continue
            source, separator, option = pipe.rpartition(".")
            where = f"{scriptObject.ScriptName}: option -{member.OptionName} @{pipe}"
            if not separator or not option:
                raise PypeError(f"{where}: a pipe is @script.option, @script-id.option or @.option")
            if source:
                name, dash, script_id = source.rpartition("-")
                if not dash:
                    name, script_id = script_id, ""
                candidates = [script for script in self.ScriptObjectList if self._Matches(script, name)]
                if script_id:
                    candidates = [script for script in candidates if str(script.Id) == script_id]
            else:
                candidates = self.ScriptObjectList[-1:]
            if not candidates:
                raise PypeError(f"{where}: no earlier script {source or '(previous)'} in this pipe")
            upstream = candidates[-1]
            matching = [m for m in list(upstream.OutputMembers) + list(upstream.InputMembers) if m.OptionName == option]
            if not matching:
                raise PypeError(f"{where}: {upstream.ScriptName} has no option -{option}")
            member.MemberPipe = (upstream, matching[0].MemberName)
            self.PrintLog(f"{member.MemberName} = {self._Label(upstream)}.{matching[0].MemberName}", 1)

    @staticmethod
    def PipeScriptObject(scriptObject: Any) -> None:
        """Copy piped values into the members that were not given on the command line."""
        for member in scriptObject.InputMembers:
            if member.MemberPipe and member.MemberValue is None:
                upstream, name = member.MemberPipe
                setattr(scriptObject, member.MemberName, getattr(upstream, name))

    # running ------------------------------------------------------------
    def _CreateScript(self, name: str, arguments: List[str]) -> Any:
        cls = find_script_class(name)
        script = cls()
        script._PypeModuleName = split_script_name(name)[1]
        script.Arguments = list(arguments)
        script.LogOn = self.LogOn
        script.InputStream = self.InputStream
        script.OutputStream = self.OutputStream
        # vmtk's own scripts call sys.exit() on errors unless told otherwise.
        script.ExitOnError = 0
        if self._IsForeign(script):
            # vmtk's PrintError prints the message (with the whole usage text for a bad option)
            # and raises RuntimeError; here it raises one PypeError line, as the package's scripts do.
            def print_error(message: str, script: Any = script) -> None:
                raise PypeError(one_line_error(script, message))

            script.PrintError = print_error
        return script

    @staticmethod
    def _IsForeign(script: Any) -> bool:
        """Whether ``script`` is another package's (vmtk's), not built on this engine's base class."""
        return not isinstance(script, pypeScript)

    def Execute(self) -> None:
        """Run the scripts in order.

        Raises
        ------
        PypeError
            For bad options or pipes, and for bad input reported by a script
            (the original exception is chained as ``__cause__``).
        """
        self.ScriptObjectList = []
        for name, arguments in self.ScriptList:
            if "--help" not in arguments and "--doc" not in arguments:
                self.PrintLog("")
            script = self._CreateScript(name, arguments)
            try:
                if not self._RunScript(script):
                    return
            except PypeError:
                raise
            except FOREIGN_USER_ERRORS as error:
                if not isinstance(error, USER_ERRORS) and not self._IsForeign(script):
                    raise
                raise PypeError(one_line_error(script, error)) from error
        for script in self.ScriptObjectList:
            script.Deallocate()

    def _RunScript(self, script: Any) -> bool:
        if "--help" in script.Arguments or "--doc" in script.Arguments:
            # The answer alone, starting with what the script does: no piping or parsing log before it.
            parse_arguments(script)
            return False
        if self.AutoPipe:
            self.AutoPipeScriptObject(script)
        self.PrintLog("Parsing options " + script.ScriptName)
        # vmtk's own parser evaluates option values as code; every script is parsed here instead.
        if not parse_arguments(script):
            return False
        if script.Disabled:
            self.PrintLog(f"{script.ScriptName} is disabled. Bypassing it.")
            return True
        self.ExplicitPipeScriptObject(script)
        self.PipeScriptObject(script)
        script.PrintInputMembers()
        script.IORead()
        self.PrintLog(f"Executing {script.ScriptName} ...")
        script.Execute()
        self.PrintLog(f"Done executing {script.ScriptName}.")
        script.IOWrite()
        script.PrintOutputMembers()
        self.ScriptObjectList.append(script)
        return True


def PypeRun(arguments: Union[str, Sequence[str]], output_stream: Any = None) -> Pype:
    """Run a pipe from Python and return it; its scripts are in ``ScriptObjectList``.

    Parameters
    ----------
    arguments : str or sequence of str
        The pipe as on the command line, e.g.
        ``"vmtksurfacereader -ifile a.vtp --pipe vmtksurfacetonumpy"``.
    output_stream : file-like, optional
        Where logs go (default: standard output).

    Raises
    ------
    PypeError
        If an option, a pipe or a script's input is wrong.

    Examples
    --------
    >>> pipe = PypeRun("vmtksurfacereader -ifile aorta.vtp --pipe vmtksurfacetonumpy")  # doctest: +SKIP
    >>> pipe.ScriptObjectList[-1].ArrayDict["Points"].shape  # doctest: +SKIP
    (6468, 3)
    """
    pipe = Pype()
    if output_stream is not None:
        pipe.OutputStream = output_stream
    if isinstance(arguments, str):
        pipe.SetArgumentsString(arguments)
    else:
        pipe.Arguments = list(arguments)
    pipe.ParseArguments()
    pipe.Execute()
    return pipe
