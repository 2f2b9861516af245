"""The base class of every script."""

from __future__ import annotations

import sys
import textwrap
from typing import Any, ContextManager, Dict, Iterable, List, TextIO, Union

from .errors import PypeError
from .lookup import PACKAGE, find_script_class
from .member import SCALAR_TYPES, pypeMember

MemberSpec = Union[pypeMember, List[Any], tuple]


def is_option_word(word: str) -> bool:
    """Whether a command-line word names an option (``-name``, ``-name@``), not a value like ``-1`` or ``-inf``."""
    if not (len(word) > 1 and word[0] == "-" and (word[1].isalpha() or word[1] == "-")):
        return False
    try:
        float(word)
    except ValueError:
        return True
    return False


class pypeScript:
    """Base class of a script that runs in a pipe and from Python alike.

    A script declares its members once with :meth:`SetInputMembers` and
    :meth:`SetOutputMembers`; that table is the command line, the ``--help``
    text and the pipe wiring. :meth:`Execute` does the work.

    Every script has the built-in members ``Id`` (``-id``), ``Self`` (``-handle``)
    and ``Disabled`` (``-disabled``).

    Messages: a script made from Python is quiet; set ``LogOn = 1`` to see
    what it reads, writes and is given, on ``OutputStream`` (standard output),
    and long reads and writes show their progress on a terminal's standard
    error. Run by a pipe (``vmtknumpy``, the script's command, :func:`PypeRun`
    or vmtk's own ``vmtk`` runner), it logs as vmtk's scripts do, for the pipe
    sets ``LogOn`` (``--nolog`` turns it off).

    Examples
    --------
    >>> class Greeter(pypeScript):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.Name = "world"
    ...         self.Greeting = ""
    ...         self.SetScriptName("greeter")
    ...         self.SetScriptDoc("say hello")
    ...         self.SetInputMembers([["Name", "name", "str", 1, "", "who to greet"]])
    ...         self.SetOutputMembers([["Greeting", "greeting", "str", 1, "", "the greeting"]])
    ...     def Execute(self):
    ...         self.Greeting = "hello " + self.Name
    >>> script = Greeter()
    >>> script.Arguments = ["-name", "vmtk"]
    >>> script.ParseArguments()
    1
    >>> script.Execute(); script.Greeting
    'hello vmtk'
    >>> script.LogOn = 1  # now it says what it was given
    >>> script.ParseArguments()
        Name = vmtk
    1
    """

    lastVisitedPath = "."

    def __init__(self) -> None:
        self.BuiltinOptionTypes = ["int", "str", "float"]
        self.InputStream: TextIO = sys.stdin
        self.OutputStream: TextIO = sys.stdout
        self.ScriptName = ""
        self.ScriptDoc = ""
        self.Arguments: List[str] = []
        self.InputMembers: List[pypeMember] = []
        self.OutputMembers: List[pypeMember] = []
        self.Id = "0"
        self.Disabled = 0
        self.ExitOnError = 0
        # Quiet from Python (vmtk's scripts start at 1); every pipe, vmtk's too, sets it before running a script.
        self.LogOn = 0
        self.Progress = 0

        id_member = pypeMember("Id", "id", "str", 1, "", "script id")
        self_member = pypeMember("Self", "handle", "self", 1, "", "handle to self")
        disabled_member = pypeMember("Disabled", "disabled", "bool", 1, "", "disable execution and piping")
        for member in (id_member, self_member, disabled_member):
            member.AutoPipe = 0
        self.InputMembers += [id_member, self_member, disabled_member]
        self.OutputMembers += [id_member, self_member]

    @property
    def Self(self) -> "pypeScript":
        """The script itself, for ``@script.handle`` pipes.

        A property rather than an attribute (vmtk sets ``self.Self = self``), so
        that a script and the data it holds are freed as soon as nothing refers
        to them, without waiting for the garbage collector.
        """
        return self

    @Self.setter
    def Self(self, value: Any) -> None:
        if value is not self and value is not None:
            raise PypeError(f"{self.ScriptName}: Self (-handle) is the script itself and cannot be set")

    # messages -----------------------------------------------------------
    def PrintLog(self, logMessage: str, indent: int = 0) -> None:
        """Write a log line to the output stream, unless logging is off (``--nolog``)."""
        if self.LogOn:
            self.OutputStream.write("    " * indent + logMessage + "\n")

    def PrintError(self, errorMessage: str) -> None:
        """Stop the script with ``errorMessage``: raises :class:`PypeError`.

        From the command line the message is printed without a traceback and
        the process exits non-zero.
        """
        prefix = f"{self.ScriptName}: " if self.ScriptName else ""
        raise PypeError(prefix + errorMessage)

    def OutputText(self, text: str) -> None:
        """Write ``text`` to the output stream as it is."""
        self.OutputStream.write(text)

    def ReportProgress(self, label: str) -> ContextManager[Any]:
        """A context in which a long read or write shows its progress (``"writing ct.mha:  40%"``).

        Shown on standard error, after a second, when the script logs
        (``LogOn``) and standard error is a terminal; see
        :mod:`vmtkscripts_numpy.progress`.
        """
        from .. import progress

        return progress.reporting(label, enabled=bool(self.LogOn))

    # member table -------------------------------------------------------
    @staticmethod
    def ConvertToPypeMembers(members: Iterable[MemberSpec]) -> List[pypeMember]:
        """Turn member table rows (lists) into :class:`pypeMember` objects."""
        converted = []
        for member in members:
            if isinstance(member, pypeMember):
                converted.append(member)
            elif isinstance(member, (list, tuple)):
                converted.append(pypeMember(*member))
            else:
                raise TypeError(f"a member table row must be a list or a pypeMember, not {member!r}")
        return converted

    def SetInputMembers(self, membersToAppend: Iterable[MemberSpec]) -> None:
        """Append input members; an IO member also gets ``<Member>InputFileName`` (``-<option>file``)."""
        for member in self.ConvertToPypeMembers(membersToAppend):
            self.InputMembers.append(member)
            if member.MemberIO:
                self._AddFileNameMember(member, self.GetIOInputFileNameMember(member.MemberName), "reader")

    def SetOutputMembers(self, membersToAppend: Iterable[MemberSpec]) -> None:
        """Append output members; an IO member also gets ``<Member>OutputFileName`` (``-<option>file``)."""
        for member in self.ConvertToPypeMembers(membersToAppend):
            self.OutputMembers.append(member)
            if member.MemberIO:
                self._AddFileNameMember(member, self.GetIOOutputFileNameMember(member.MemberName), "writer")

    def _AddFileNameMember(self, member: pypeMember, attribute: str, role: str) -> None:
        doc = f"filename for the default {member.MemberName} {role} ({member.MemberIO})"
        self.InputMembers.append(pypeMember(attribute, self.GetIOFileNameOption(member.OptionName), "str", 1, "", doc))
        setattr(self, attribute, "")

    @staticmethod
    def GetIOInputFileNameMember(memberName: str) -> str:
        return memberName + "InputFileName"

    @staticmethod
    def GetIOOutputFileNameMember(memberName: str) -> str:
        return memberName + "OutputFileName"

    @staticmethod
    def GetIOFileNameOption(optionName: str) -> str:
        return optionName + "file"

    def SetScriptName(self, scriptName: str) -> None:
        self.ScriptName = scriptName

    def SetScriptDoc(self, scriptDoc: str) -> None:
        self.ScriptDoc = scriptDoc

    def GetScriptDocString(self) -> str:
        return self.ScriptDoc

    # help ---------------------------------------------------------------
    def GetUsageString(self) -> str:
        """The ``--help`` text: every member with type, length, range, default and doc."""
        lines = [textwrap.fill(f"{self.ScriptName} : {self.ScriptDoc}" if self.ScriptDoc else self.ScriptName, 100)]
        for title, members in (("Input arguments:", self.InputMembers), ("Output arguments:", self.OutputMembers)):
            lines.append("  " + title)
            for member in members:
                if not member.OptionName:
                    continue
                usage, doc = member.Describe(getattr(self, member.MemberName, None))
                text = usage + (": " + doc if doc else "")
                lines.append(textwrap.fill(text, 100, initial_indent="   ", subsequent_indent="     "))
        return "\n".join(lines) + "\n"

    # parsing ------------------------------------------------------------
    def ParseArguments(self) -> int:
        """Set members from ``self.Arguments``; see :func:`parse_arguments`."""
        return parse_arguments(self)

    # reading and writing IO members -------------------------------------
    def _RunIOScript(self, scriptName: str, configure) -> Any:
        # A script's own -ifile/-ofile use this package's readers and writers (when it has the
        # named one), so that a script gives the same numbers with or without vmtk installed.
        try:
            script = find_script_class(scriptName, package=PACKAGE)()
        except PypeError:
            script = find_script_class(scriptName)()
        script.LogOn = self.LogOn
        script.InputStream = self.InputStream
        script.OutputStream = self.OutputStream
        if hasattr(script, "ExitOnError"):
            script.ExitOnError = 0
        configure(script)
        script.Execute()
        return script

    def IORead(self) -> None:
        """Read every input member whose ``-<option>file`` is set, with the member's reader script.

        The reader's other outputs feed this script's input members of the
        same name and type that were not given (as automatic piping would):
        ``vmtkimagetonumpy -ifile ct.mha`` gets the reader's
        ``XyzToRasMatrixCoefficients`` along with the image.
        """
        for member in self.InputMembers:
            if not member.MemberIO:
                continue
            filename = getattr(self, self.GetIOInputFileNameMember(member.MemberName), "")
            if filename:
                reader = self._RunIOScript(member.MemberIO, lambda script: setattr(script, "InputFileName", filename))
                setattr(self, member.MemberName, reader.Output)
                self._TakeReaderOutputs(reader, member)

    def _TakeReaderOutputs(self, reader: Any, read_member: pypeMember) -> None:
        # Only values an option could give (numbers, text, matrices): the data is the member read.
        outputs = {
            (output.MemberName, output.MemberType): output
            for output in reader.OutputMembers
            if output.AutoPipe and output.MemberName != read_member.MemberName and output.MemberType in SCALAR_TYPES
        }
        for member in self.InputMembers:
            given = member.MemberValue is not None or member.ExplicitPipe or member.MemberPipe
            if member.AutoPipe and not given and (member.MemberName, member.MemberType) in outputs:
                setattr(self, member.MemberName, getattr(reader, member.MemberName))

    def IOWrite(self) -> None:
        """Write every output member whose ``-<option>file`` is set, with the member's writer script.

        The writer's input members named as this script's other outputs get
        their values (as automatic piping would): ``vmtkimagereader -ifile
        ct.mha -ofile ct.vti`` hands the writer the ``RasToIjkMatrixCoefficients``
        it read along with the image.
        """
        for member in self.OutputMembers:
            if not member.MemberIO:
                continue
            filename = getattr(self, self.GetIOOutputFileNameMember(member.MemberName), "")
            if filename:
                value = getattr(self, member.MemberName)

                def configure(script, value=value, filename=filename, written=member):
                    script.Input = value
                    script.OutputFileName = filename
                    self._GiveWriterOutputs(script, written)

                self._RunIOScript(member.MemberIO, configure)

    def _GiveWriterOutputs(self, writer: Any, written_member: pypeMember) -> None:
        # Only values an option could give (numbers, text, matrices): an object output of this script
        # (a second surface, say) must not replace the one being written.
        outputs = {
            (output.MemberName, output.MemberType)
            for output in self.OutputMembers
            if output.AutoPipe and output.MemberName != written_member.MemberName and output.MemberType in SCALAR_TYPES
        }
        for member in writer.InputMembers:
            if member.AutoPipe and (member.MemberName, member.MemberType) in outputs:
                setattr(writer, member.MemberName, getattr(self, member.MemberName))

    # to override --------------------------------------------------------
    def Execute(self) -> None:
        """Do the script's work. Subclasses override this."""

    def Deallocate(self) -> None:
        """Release what the script holds once the pipe has finished."""

    # logging of members (as vmtk prints them) ---------------------------
    def _PrintMembers(self, members: List[pypeMember]) -> None:
        shown = set()
        for member in members:
            # A member may have two options (vmtk's -ofile and deprecated -o): show it once.
            if member.MemberName == "Self" or member.MemberName in shown:
                continue
            shown.add(member.MemberName)
            value = getattr(self, member.MemberName, None)
            text = value if member.IsBuiltinType() or value is None else member.MemberType
            self.PrintLog(f"{member.MemberName} = {text}", 1)

    def PrintInputMembers(self) -> None:
        self.PrintLog(f"Input {self.ScriptName} members:")
        self._PrintMembers(self.InputMembers)

    def PrintOutputMembers(self) -> None:
        self.PrintLog(f"Output {self.ScriptName} members:")
        self._PrintMembers(self.OutputMembers)



# --- parsing a command line into any script's members ------------------------------


def parse_arguments(script: Any) -> int:
    """Set the members of ``script`` from ``script.Arguments``, as PypeS does.

    Works on any script with vmtk's member table (this package's and vmtk's
    own), without evaluating any text: vmtk's scripts run in a ``vmtknumpy``
    pipe are parsed here too, so their options are checked and their errors
    read like this package's.

    Returns 1 when the script should run, 0 when ``--help`` or ``--doc`` was
    answered instead.

    Raises
    ------
    PypeError
        For an unknown option or flag, an option given twice, a wrong number of
        values, a value of the wrong type or out of range. The message names
        the script and the option.
    """
    name = script.ScriptName
    arguments = list(script.Arguments)
    if "--help" in arguments:
        script.OutputText(script.GetUsageString())
        return 0
    if "--doc" in arguments:
        script.OutputText(script.GetScriptDocString() + "\n")
        return 0
    members: Dict[str, Any] = {}
    for member in script.InputMembers:
        if member.OptionName:
            members.setdefault(member.OptionName, member)
    seen = set()
    for word, value_words in _split_options(name, arguments):
        if word.startswith("--"):
            raise PypeError(f"{name}: unknown flag {word}; flags are --help and --doc")
        pushed = word.endswith("@")
        option = word[1:-1] if pushed else word[1:]
        member = members.get(option)
        if member is None:
            raise PypeError(f"{name}: unknown option {word}; run '{name} --help' for its options")
        if option in seen:
            raise PypeError(f"{name}: option -{option} is given twice")
        seen.add(option)
        member.Pushed = int(pushed)
        _parse_member_words(script, member, value_words)
    return 1


def _split_options(name: str, arguments: List[str]) -> List[tuple]:
    """Group ``arguments`` into ``(option word, [value words])``."""
    groups: List[tuple] = []
    for word in arguments:
        if is_option_word(word):
            groups.append((word, []))
        elif groups:
            groups[-1][1].append(word)
        else:
            raise PypeError(f"{name}: value {word!r} is not preceded by an option")
    return groups


def _parse_member_words(script: Any, member: Any, words: List[str]) -> None:
    name = script.ScriptName
    pipes = [word for word in words if word.startswith("@")]
    if pipes:
        if len(words) != 1:
            raise PypeError(f"{name}: option -{member.OptionName}: a pipe ({pipes[0]}) must be its only value")
        member.ExplicitPipe = pipes[0][1:] or "None"
        script.PrintLog(f"{member.MemberName} = @{member.ExplicitPipe}", 1)
        return
    # vmtk's members are parsed by this package's rules too.
    parser = member if isinstance(member, pypeMember) else pypeMember(
        member.MemberName, member.OptionName, member.MemberType, member.MemberLength, member.MemberRange or ""
    )
    try:
        values = parser.ParseValues(words)
    except PypeError as error:
        raise PypeError(f"{name}: {error}") from None
    value = parser.ValueFromParsed(values)
    setattr(script, member.MemberName, value)
    member.MemberValue = value
    script.PrintLog(f"{member.MemberName} = {value}", 1)
