"""A script's member table: parsing its command line, its help, its built-in members."""

import io

import pytest

from vmtkscripts_numpy.pypes import PypeError
from vmtkscripts_numpy.pypes.lookup import find_script_class


def parsed(*arguments):
    script = find_script_class("vmtktestsource")()
    script.OutputStream = io.StringIO()
    script.Arguments = list(arguments)
    assert script.ParseArguments() == 1
    return script


def test_options_set_members_of_every_type_and_length():
    script = parsed(
        "-value", "2.5", "-count", "4", "-mode", "b", "-flag", "-values", "1", "2", "3",
        "-triple", "-1", "0", "1", "-switch", "1", "-label", "with space",
    )
    assert script.Value == 2.5 and script.Count == 4 and script.Mode == "b"
    assert script.Flag == 1
    assert script.Values == [1.0, 2.0, 3.0]
    assert script.Triple == [-1, 0, 1]
    assert script.Switch == 1
    assert script.Label == "with space"


def test_unset_members_keep_their_defaults():
    script = parsed("-count", "2")
    assert (script.Value, script.Mode, script.Flag, script.Triple) == (1.5, "a", 0, [0, 0, 0])


def test_negative_numbers_are_values_not_options():
    assert parsed("-values", "-1", "-inf", "-2e3").Values == [-1.0, float("-inf"), -2000.0]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["-nosuch", "1"], "unknown option -nosuch"),
        (["-count", "11"], "-count: 11 is out of range; should be >= 0 and <= 10"),
        (["-count", "many"], "-count: 'many' is not an integer"),
        (["-triple", "1", "2"], "-triple: 2 given, 3 values expected"),
        (["-mode", "c"], "-mode: 'c' is out of range"),
        (["-switch", "yes"], "-switch: 'yes' is not a bool"),
        (["-flag", "1"], "-flag: is a flag and takes no value"),
        (["stray"], "value 'stray' is not preceded by an option"),
        (["-count", "1", "-count", "2"], "option -count is given twice"),
        (["--bogus"], "unknown flag --bogus"),
    ],
)
def test_bad_arguments_raise_one_clear_error_naming_the_option(arguments, message):
    script = find_script_class("vmtktestsource")()
    script.Arguments = arguments
    with pytest.raises(PypeError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        script.ParseArguments()


def test_help_lists_every_member_with_type_length_range_default_and_doc():
    script = find_script_class("vmtktestsource")()
    script.OutputStream = io.StringIO()
    script.Arguments = ["--help"]
    assert script.ParseArguments() == 0
    text = script.OutputStream.getvalue()
    assert text.startswith("vmtktestsource : make a small object and a number")
    assert "-value Value (float,1) >= 0; default=1.5: a positive number" in text
    assert "-count Count (int,1) >= 0 and <= 10; default=3: how many points" in text
    assert "-mode Mode (str,1) in ['a', 'b']; default=a: a mode" in text
    assert "-flag Flag (flag): a flag" in text
    assert "-values Values (float,-1): any number of values" in text
    assert "-triple Triple (int,3); default=[0, 0, 0]: three integers" in text
    assert "-id Id (str,1); default=0: script id" in text
    assert "-disabled Disabled (bool,1); default=0" in text
    assert "-o Surface (vtkPolyData,1): the output object" in text
    assert "-ofile SurfaceOutputFileName (str,1): filename for the default Surface writer (vmtktestwriter)" in text
    assert text.index("Input arguments:") < text.index("-value") < text.index("Output arguments:") < text.index("-o ")


def test_doc_prints_the_script_doc():
    script = find_script_class("vmtktestsource")()
    script.OutputStream = io.StringIO()
    script.Arguments = ["--doc"]
    assert script.ParseArguments() == 0
    assert script.OutputStream.getvalue() == "make a small object and a number\n"


def test_io_members_get_a_file_name_member_and_option():
    sink = find_script_class("vmtktestsink")()
    options = {member.OptionName: member.MemberName for member in sink.InputMembers}
    assert options["ifile"] == "SurfaceInputFileName"
    assert sink.SurfaceInputFileName == ""


def test_builtin_members_are_id_self_and_disabled():
    script = parsed("-id", "7", "-disabled", "1")
    assert script.Id == "7" and script.Disabled == 1 and script.Self is script
    names = [member.MemberName for member in script.InputMembers[:3]]
    assert names == ["Id", "Self", "Disabled"]


def test_print_error_raises_with_the_script_name():
    with pytest.raises(PypeError, match="^vmtktestsink: no input object$"):
        find_script_class("vmtktestsink")().Execute()


def test_a_script_made_from_python_is_quiet():
    script = find_script_class("vmtktestsource")()
    script.OutputStream = io.StringIO()
    script.Arguments = ["-count", "2"]
    script.ParseArguments()
    script.PrintInputMembers()
    script.PrintLog("hidden")
    assert script.OutputStream.getvalue() == ""


def test_log_on_makes_a_script_say_what_it_is_given():
    script = find_script_class("vmtktestsource")()
    script.OutputStream = io.StringIO()
    script.LogOn = 1
    script.Arguments = ["-count", "2"]
    script.ParseArguments()
    script.PrintLog("shown")
    assert script.OutputStream.getvalue() == "    Count = 2\nshown\n"


def test_a_member_with_two_options_is_logged_once():
    script = find_script_class("vmtktestwriter")()
    script.OutputStream, script.LogOn = io.StringIO(), 1
    script.SetInputMembers([["OutputFileName", "o", "str", 1, "", "deprecated"]])
    script.PrintInputMembers()
    assert script.OutputStream.getvalue().count("OutputFileName =") == 1


def test_a_script_and_what_it_holds_are_freed_without_the_garbage_collector():
    import gc
    import weakref

    from vmtkscripts_numpy.pypes.lookup import find_script_class

    gc.disable()
    try:
        script = find_script_class("vmtktestsource")()
        script.Arguments, script.LogOn = ["-label", "x"], 0
        script.ParseArguments()
        script.Execute()
        held = weakref.ref(script)
        assert script.Self is script  # still there for @script.handle pipes
        del script
        assert held() is None
    finally:
        gc.enable()
