"""Pipes of scripts: parsing ``--pipe`` chains, wiring members between scripts, running them."""

from __future__ import annotations

import os
import shlex
import sys
from typing import Any, List, Optional, Sequence, TextIO, Tuple, Union

from .errors import PypeError
from .lookup import find_script_class
from .member import pypeMember

#: Runner flags accepted before the first script name.
RUNNER_FLAGS = ("--nolog", "--noauto")
#: Names under which the argument list starts with the runner itself rather than a script.
RUNNER_NAMES = ("vmtknumpy", "pyperun", "pype")

#: Exceptions that describe bad input rather than a bug; a pipe reports them as :class:`PypeError`.
USER_ERRORS = (PypeError, ValueError, OSError)


class NullOutputStream:
    """A stream that discards what is written to it."""

    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def script_name_from_word(word: str) -> str:
    """``/usr/bin/vmtksurfacereader.exe`` -> ``vmtksurfacereader``."""
    return os.path.splitext(os.path.basename(word.strip()))[0]


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
        arguments = list(self.Arguments or [])
        if arguments and script_name_from_word(arguments[0]) in RUNNER_NAMES:
            arguments = arguments[1:]
        while arguments and arguments[0] in RUNNER_FLAGS:
            flag = arguments.pop(0)
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
            self.ScriptList.append((name, current[1:]))
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
        return name.lower() in (script.ScriptName.lower(), getattr(script, "_PypeModuleName", "").lower())

    def ExplicitPipeScriptObject(self, scriptObject: Any) -> None:
        """Resolve ``-option @script[-id].option``, ``@.option`` and ``@`` (None) for each member."""
        for member in scriptObject.InputMembers:
            pipe = member.ExplicitPipe
            if not pipe:
                continue
            if pipe == "None":
                member.MemberPipe = None
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
        script = find_script_class(name)()
        script._PypeModuleName = name
        script.Arguments = list(arguments)
        script.LogOn = self.LogOn
        script.InputStream = self.InputStream
        script.OutputStream = self.OutputStream
        # vmtk's own scripts call sys.exit() on errors unless told otherwise.
        script.ExitOnError = 0
        return script

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
            self.PrintLog("")
            script = self._CreateScript(name, arguments)
            try:
                if not self._RunScript(script):
                    return
            except PypeError:
                raise
            except USER_ERRORS as error:
                raise PypeError(f"{script.ScriptName}: {error}") from error
        for script in self.ScriptObjectList:
            script.Deallocate()

    def _RunScript(self, script: Any) -> bool:
        if self.AutoPipe:
            self.AutoPipeScriptObject(script)
        self.PrintLog("Parsing options " + script.ScriptName)
        if not script.ParseArguments():
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
