"""Pipes: splitting, automatic and explicit piping, pushed options, ids, IO members, runner flags."""

import io
import json

import pytest

from vmtkscripts_numpy.pypes import Pype, PypeError, PypeRun


def run(arguments):
    return PypeRun(arguments, output_stream=io.StringIO())


def scripts(pipe):
    return {f"{script.ScriptName}-{script.Id}": script for script in pipe.ScriptObjectList}


def test_pipe_splits_into_scripts_with_their_arguments():
    pipe = Pype()
    pipe.SetArgumentsString('vmtktestsource -label "two words" --pipe vmtktestsink -label x')
    pipe.ParseArguments()
    assert pipe.ScriptList == [("vmtktestsource", ["-label", "two words"]), ("vmtktestsink", ["-label", "x"])]


def test_a_leading_runner_name_and_its_flags_are_stripped():
    pipe = Pype()
    pipe.Arguments = ["/usr/bin/vmtknumpy", "--nolog", "--noauto", "vmtktestsource"]
    pipe.ParseArguments()
    assert pipe.ScriptList == [("vmtktestsource", [])]
    assert (pipe.LogOn, pipe.AutoPipe) == (0, 0)


@pytest.mark.parametrize("arguments", ["vmtktestsource --pipe", "vmtktestsource --pipe --pipe vmtktestsink"])
def test_an_empty_script_in_a_pipe_is_an_error(arguments):
    pipe = Pype()
    pipe.SetArgumentsString(arguments)
    with pytest.raises(PypeError, match="empty script"):
        pipe.ParseArguments()


def test_automatic_piping_matches_member_name_and_type():
    pipe = run("vmtktestsource -value 2 -count 3 -label src --pipe vmtktestsink")
    sink = scripts(pipe)["vmtktestsink-0"]
    assert sink.Surface == {"made by": "src", "count": 3}
    assert sink.Number == 6.0
    assert sink.Label == ""  # Label is an input of the source, not an output: not piped


def test_automatic_piping_takes_the_most_recent_output():
    pipe = run(
        "vmtktestsource -label first -id 1 --pipe vmtktestsource -label second -id 2 --pipe vmtktestsink"
    )
    assert scripts(pipe)["vmtktestsink-0"].Surface["made by"] == "second"


def test_an_option_given_on_the_command_line_wins_over_automatic_piping():
    pipe = run("vmtktestsource --pipe vmtktestsink -number 42")
    assert scripts(pipe)["vmtktestsink-0"].Number == 42.0


def test_noauto_turns_automatic_piping_off():
    pipe = Pype()
    pipe.OutputStream = io.StringIO()
    pipe.Arguments = ["--noauto", "vmtktestsource", "--pipe", "vmtktestsink"]
    pipe.ParseArguments()
    with pytest.raises(PypeError, match="no input object"):
        pipe.Execute()


def test_explicit_pipe_by_script_name_and_option():
    pipe = run("vmtktestsource -label a -id 1 --pipe vmtktestsource -label b --pipe vmtktestsink -i @vmtktestsource-1.o")
    assert scripts(pipe)["vmtktestsink-0"].Surface["made by"] == "a"


def test_explicit_pipe_without_id_takes_the_latest_script_of_that_name():
    pipe = run("vmtktestsource -label a -id 1 --pipe vmtktestsource -label b --pipe vmtktestsink -i @vmtktestsource.o")
    assert scripts(pipe)["vmtktestsink-0"].Surface["made by"] == "b"


def test_explicit_pipe_may_read_an_input_option_of_an_earlier_script():
    pipe = run("vmtktestsource -label upstream --pipe vmtktestsink -label @vmtktestsource.label")
    assert scripts(pipe)["vmtktestsink-0"].Label == "upstream"


def test_explicit_pipe_from_the_previous_script():
    pipe = run("vmtktestsource -label a -id 1 --pipe vmtktestsource -label b -id 2 --pipe vmtktestsink -label @.label")
    assert scripts(pipe)["vmtktestsink-0"].Label == "b"


def test_explicit_pipe_to_none_clears_an_automatically_piped_member():
    pipe = Pype()
    pipe.OutputStream = io.StringIO()
    pipe.SetArgumentsString("vmtktestsource --pipe vmtktestsink -i @")
    pipe.ParseArguments()
    with pytest.raises(PypeError, match="no input object"):
        pipe.Execute()


@pytest.mark.parametrize(
    "target, message",
    [
        ("@vmtktestsource", "a pipe is @script.option"),
        ("@nosuchscript.o", "no earlier script nosuchscript"),
        ("@vmtktestsource-9.o", "no earlier script vmtktestsource-9"),
        ("@vmtktestsource.nosuch", "vmtktestsource has no option -nosuch"),
    ],
)
def test_bad_explicit_pipes_are_clear_errors(target, message):
    with pytest.raises(PypeError, match=message):
        run(f"vmtktestsource --pipe vmtktestsink -i {target}")


def test_pushed_option_feeds_later_scripts_like_an_output():
    pipe = run("vmtktestsource -label@ pushed --pipe vmtktestsink")
    assert scripts(pipe)["vmtktestsink-0"].Label == "pushed"


def test_ids_tell_apart_two_runs_of_one_script():
    pipe = run("vmtktestsource -id 1 -label a --pipe vmtktestsource -id 2 -label b")
    assert set(scripts(pipe)) == {"vmtktestsource-1", "vmtktestsource-2"}


def test_a_disabled_script_is_bypassed_and_not_piped_from():
    pipe = run("vmtktestsource -label a --pipe vmtktestsource -label b -disabled 1 --pipe vmtktestsink")
    assert scripts(pipe)["vmtktestsink-0"].Surface["made by"] == "a"
    assert len(pipe.ScriptObjectList) == 2


def test_output_file_member_writes_with_the_default_writer(tmp_path):
    target = tmp_path / "object.json"
    run(f"vmtktestsource -label written -ofile {target}")
    assert json.loads(target.read_text()) == {"made by": "written", "count": 3}


def test_input_file_member_reads_with_the_default_reader(tmp_path):
    source = tmp_path / "object.json"
    source.write_text(json.dumps({"made by": "file", "count": 1}))
    pipe = run(f"vmtktestsink -ifile {source} -number 1")
    assert scripts(pipe)["vmtktestsink-0"].Report == "file:1.0:"


def test_bad_input_from_a_script_becomes_a_pipe_error_naming_the_script(tmp_path):
    with pytest.raises(PypeError, match="vmtktestsink: .*No such file") as raised:
        run(f"vmtktestsink -ifile {tmp_path / 'missing.json'}")
    assert isinstance(raised.value.__cause__, OSError)


def test_logs_go_to_the_output_stream_unless_nolog():
    stream = io.StringIO()
    PypeRun("vmtktestsource --pipe vmtktestsink", output_stream=stream)
    assert "Automatic piping vmtktestsink" in stream.getvalue()
    assert "Surface = vmtktestsource-0.Surface" in stream.getvalue()
    assert "Input vmtktestsource members:\n    Id = 0\n" in stream.getvalue()  # the scripts' own logs too
    quiet = io.StringIO()
    PypeRun(["--nolog", "vmtktestsource", "--pipe", "vmtktestsink"], output_stream=quiet)
    assert quiet.getvalue() == ""


def test_help_of_a_script_in_a_pipe_stops_the_pipe():
    stream = io.StringIO()
    pipe = PypeRun("vmtktestsource --help --pipe vmtktestsink", output_stream=stream)
    assert "Input arguments:" in stream.getvalue()
    assert pipe.ScriptObjectList == []


def test_a_bare_pipe_on_an_option_keeps_its_default_instead_of_none():
    pipe = run("vmtktestsource -label@ pushed --pipe vmtktestsink -label @")
    assert scripts(pipe)["vmtktestsink-0"].Label == ""


def test_the_reader_of_an_input_file_also_feeds_inputs_named_as_its_outputs(tmp_path):
    source = tmp_path / "object.json"
    source.write_text(json.dumps({"made by": "file", "count": 7}))
    assert scripts(run(f"vmtktestsink -ifile {source}"))["vmtktestsink-0"].Count == 7
    assert scripts(run(f"vmtktestsink -ifile {source} -count 2"))["vmtktestsink-0"].Count == 2
