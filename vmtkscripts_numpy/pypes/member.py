"""Script members: one row of a script's member table.

A member table row is ``[MemberName, OptionName, MemberType, MemberLength,
MemberRange, MemberDoc, MemberIO]``, as in vmtk's PypeS. This module turns the
command-line words given to an option into typed values and checks them against
the member's length and range. Nothing here evaluates text as code: numbers are
parsed with ``int``/``float`` and ranges with a small parser of their own.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, Union

from .errors import PypeError

#: Member types whose values come from the command line as text.
BUILTIN_OPTION_TYPES = ("int", "str", "float")
#: Value types a range may constrain, including the 0/1 ``bool``.
SCALAR_TYPES = BUILTIN_OPTION_TYPES + ("bool",)

RangeValue = Union[int, float, str]


def _parse_range_entry(text: str) -> RangeValue:
    """Parse one entry of a member range: a quoted string, an int, a float or a bare word."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            pass
    return text


class pypeMember:
    """One input or output member of a script (a row of its member table).

    Parameters
    ----------
    memberName : str
        The attribute of the script that holds the value, e.g. ``"Surface"``.
    optionName : str
        The command-line option without its dash, e.g. ``"ifile"``; empty for
        members that have no option.
    memberType : str
        ``"int"``, ``"float"``, ``"str"``, ``"bool"`` or an object type such as
        ``"vtkPolyData"`` or ``"dict"`` (object members are set by piping).
    memberLength : int
        0 for a flag, 1 for a single value, N for exactly N values, -1 for any number.
    memberRange : str
        ``"[a,b,c]"`` for an enumeration, ``"(min,max)"`` for bounds where either
        end may be left empty; empty for no constraint.
    memberDoc : str
        One line of documentation shown by ``--help``.
    memberIO : str
        For object members: the name of the reader (input) or writer (output)
        script the engine runs on ``-<option>file``.

    Examples
    --------
    >>> member = pypeMember("Level", "level", "int", 1, "(0,9)", "compression level")
    >>> member.ParseValues(["4"])
    [4]
    >>> member.GetRangeRepresentation()
    '>= 0 and <= 9'
    """

    def __init__(
        self,
        memberName: str,
        optionName: str,
        memberType: str,
        memberLength: int,
        memberRange: str = "",
        memberDoc: str = "",
        memberIO: str = "",
    ) -> None:
        self.MemberName = memberName
        self.OptionName = optionName
        self.MemberType = memberType
        self.MemberLength = memberLength
        self.MemberRange = memberRange or ""
        self.MemberDoc = memberDoc
        self.MemberIO = memberIO

        self.MemberPipe = ""
        self.MemberValue: Any = None
        self.ExplicitPipe = ""
        self.AutoPipe = 1
        self.Pushed = 0

    def __repr__(self) -> str:
        return f"pypeMember({self.MemberName!r}, -{self.OptionName}, {self.MemberType}, {self.MemberLength})"

    # ranges -------------------------------------------------------------
    def GetRangeEnumeration(self) -> List[RangeValue]:
        """The allowed values of an ``[a,b,c]`` range, or an empty list."""
        text = self.MemberRange.strip()
        if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
            return [_parse_range_entry(entry) for entry in text[1:-1].split(",") if entry.strip()]
        return []

    def GetRangeValues(self) -> List[Optional[RangeValue]]:
        """``[min, max, None]`` of a ``(min,max)`` range (``None`` for an open end), or ``[]``."""
        text = self.MemberRange.strip()
        if not (len(text) >= 2 and text[0] == "(" and text[-1] == ")"):
            return []
        entries = text[1:-1].split(",")
        if len(entries) < 2:
            return []
        bounds = [_parse_range_entry(entry) if entry.strip() else None for entry in entries[:2]]
        return bounds + [None]

    def GetRangeRepresentation(self) -> str:
        """The range in words, e.g. ``"in ['pickle', 'hdf5']"`` or ``">= 0"``."""
        enumeration = self.GetRangeEnumeration()
        if enumeration:
            return "in " + str(enumeration)
        values = self.GetRangeValues()
        parts = []
        if values and values[0] is not None:
            parts.append(">= " + str(values[0]))
        if values and values[1] is not None:
            parts.append("<= " + str(values[1]))
        return " and ".join(parts)

    def IsInRange(self, value: Any) -> bool:
        """Whether ``value`` satisfies the member's range (always true without one)."""
        if not self.MemberRange:
            return True
        enumeration = self.GetRangeEnumeration()
        if enumeration:
            return value in enumeration
        values = self.GetRangeValues()
        if not values:
            return False
        low, high = values[0], values[1]
        try:
            if low is not None and value < low:
                return False
            if high is not None and value > high:
                return False
        except TypeError:
            return False
        return True

    # values -------------------------------------------------------------
    def IsBuiltinType(self) -> bool:
        """Whether the member's values can be given as text on the command line."""
        return self.MemberType in SCALAR_TYPES

    def ParseValue(self, text: str) -> Any:
        """Turn one command-line word into a value of the member's type.

        Raises
        ------
        PypeError
            If the word is not a value of that type.
        """
        option = "-" + self.OptionName
        if self.MemberType == "str":
            return text
        if self.MemberType == "int":
            try:
                return int(text)
            except ValueError:
                raise PypeError(f"option {option}: {text!r} is not an integer") from None
        if self.MemberType == "float":
            try:
                return float(text)
            except ValueError:
                raise PypeError(f"option {option}: {text!r} is not a number") from None
        if self.MemberType == "bool":
            if text.strip() in ("0", "1"):
                return int(text)
            raise PypeError(f"option {option}: {text!r} is not a bool; give 0 or 1")
        raise PypeError(
            f"option {option}: takes a {self.MemberType} object, which cannot be given as text; "
            f"pipe it from an earlier script (e.g. {option} @scriptname.option)"
            + (f" or read it from a file with {option}file" if self.MemberIO else "")
        )

    def ParseValues(self, words: Sequence[str]) -> List[Any]:
        """Parse the words given to this member's option and check count and range.

        Returns the list of parsed values (empty for a flag).
        """
        option = "-" + self.OptionName
        values = [self.ParseValue(word) for word in words]
        expected = self.MemberLength
        if expected == 0 and values:
            raise PypeError(f"option {option}: is a flag and takes no value, {len(values)} given")
        if expected > 0 and len(values) != expected:
            plural = "value" if expected == 1 else "values"
            raise PypeError(f"option {option}: {len(values)} given, {expected} {plural} expected")
        if self.MemberRange:
            for value in values:
                if not self.IsInRange(value):
                    raise PypeError(
                        f"option {option}: {value!r} is out of range; should be {self.GetRangeRepresentation()}"
                    )
        return values

    def ValueFromParsed(self, values: List[Any]) -> Any:
        """The attribute value for parsed ``values``: 1 for a flag, a scalar for length 1, else a list."""
        if self.MemberLength == 0:
            return 1
        if self.MemberLength == 1:
            return values[0]
        return list(values)

    def Describe(self, default: Any) -> Tuple[str, str]:
        """The ``--help`` line of this member: ``(usage, doc)``."""
        usage = f"-{self.OptionName} {self.MemberName}"
        if self.MemberLength == 0:
            usage += " (flag)"
        else:
            usage += f" ({self.MemberType},{self.MemberLength})"
        if self.MemberRange:
            usage += " " + self.GetRangeRepresentation()
        if self.MemberLength != 0 and self.IsBuiltinType() and default not in (None, "", []):
            usage += f"; default={default}"
        return usage, self.MemberDoc or ""
