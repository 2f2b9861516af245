"""The command line: exit codes, one-line errors without tracebacks, the script listing."""

import subprocess
import sys

import pytest

from vmtkscripts_numpy.pypes import cli


def test_runner_help_lists_a_packages_scripts_with_their_docs():
    text = cli.runner_help("pipe_test_scripts")

    assert text.startswith("usage: vmtknumpy")
    assert "  vmtktestsource     make a small object and a number\n" in text
    assert "  vmtktestsink       report what was piped in\n" in text


def test_runner_help_lists_the_packages_own_scripts(capsys):
    assert cli.main(["vmtknumpy", "--help"]) == 0
    out = capsys.readouterr().out
    assert "vmtksurfacetonumpy" in out and "vmtkimagereader" in out and "(cannot load" not in out


def test_a_pipe_runs_and_exits_zero(capsys, tmp_path):
    target = tmp_path / "o.json"
    assert cli.main(["vmtknumpy", "--nolog", "vmtktestsource", "-ofile", str(target)]) == 0
    assert target.exists()
    assert capsys.readouterr().out == ""


def test_a_script_command_runs_its_script(tmp_path):
    target = tmp_path / "o.json"
    assert cli.main(["/somewhere/bin/vmtktestsource", "-ofile", str(target)]) == 0
    assert target.exists()


def test_a_script_command_takes_the_runners_flags_after_its_name(capsys, tmp_path):
    target = tmp_path / "o.json"
    assert cli.main(["/somewhere/bin/vmtktestsource", "--nolog", "-ofile", str(target)]) == 0
    assert target.exists()
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["vmtknumpy", "vmtktestsource", "-count", "99"], "error: vmtktestsource: option -count: 99 is out of range"),
        (["vmtknumpy", "vmtknosuch"], "error: unknown script 'vmtknosuch'"),
        (["vmtknumpy", "vmtktestsink", "-ifile", "missing.json"], "error: vmtktestsink: "),
    ],
)
def test_errors_print_one_line_without_traceback_and_exit_non_zero(capsys, arguments, message):
    assert cli.main(arguments) == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_unknown_runner_flags_are_refused(capsys):
    assert cli.main(["vmtknumpy", "--frobnicate", "vmtktestsource"]) == 2
    assert "unknown flag --frobnicate" in capsys.readouterr().err


def test_a_hostile_value_runs_no_code(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hostile = "1');import os;os.system('touch pwned');('"
    assert cli.main(["vmtknumpy", "vmtktestsource", "-count", hostile]) == 1
    assert "is not an integer" in capsys.readouterr().err
    assert not (tmp_path / "pwned").exists()


def test_the_command_line_in_a_fresh_process_exits_non_zero_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "vmtkscripts_numpy", "vmtknosuchscript"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: unknown script 'vmtknosuchscript'")
    assert "Traceback" not in result.stderr


def test_runner_help_does_not_import_vtk():
    code = "import sys; from vmtkscripts_numpy.pypes import cli; cli.runner_help(); print(any(m.startswith('vtkmodules') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_warnings_on_the_command_line_are_one_line(capsys, monkeypatch):
    import warnings

    from vmtkscripts_numpy.pypes.lookup import find_script_class

    source = find_script_class("vmtktestsource")
    monkeypatch.setattr(source, "Execute", lambda self: warnings.warn("the format drops arrays", UserWarning))
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    assert cli.main(["vmtknumpy", "--nolog", "vmtktestsource"]) == 0
    assert capsys.readouterr().err == "warning: the format drops arrays\n"


def test_python_m_cli_runs_a_pipe_too():
    result = subprocess.run(
        [sys.executable, "-m", "vmtkscripts_numpy.pypes.cli", "vmtknosuchscript"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert "error: unknown script 'vmtknosuchscript'" in result.stderr


def test_a_closed_output_pipe_ends_quietly(capsys, monkeypatch):
    from vmtkscripts_numpy.pypes.lookup import find_script_class

    def write_to_a_closed_pipe(self):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(find_script_class("vmtktestsource"), "Execute", write_to_a_closed_pipe)
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    assert cli.main(["vmtknumpy", "--nolog", "vmtktestsource"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "arguments",
    [
        ["vmtknumpy", "pyperun", "--nolog", "vmtktestsource"],
        ["vmtknumpy", "--nolog", "vmtktestsource"],
        ["pyperun", "--nolog", "--noauto", "vmtktestsource"],
    ],
)
def test_vmtks_pyperun_prefix_and_runner_flags_are_accepted(capsys, arguments):
    assert cli.main(arguments) == 0
    assert capsys.readouterr().out == ""


def test_query_lists_the_scripts(capsys):
    assert cli.main(["vmtknumpy", "pyperun", "--query", "vmtkscripts"]) == 0
    names = capsys.readouterr().out.split()
    assert "vmtksurfacetonumpy" in names and "vmtktestsource" in names


@pytest.mark.parametrize(
    "arguments, message",
    [
        # PrintError from Execute: the usage text it carries is dropped, and so is "Error:".
        (["vmtknumpy", "vmtkdoubler"], "error: vmtkdoubler: no Number.\n"),
        # An out-of-range value is caught by the engine's parser before the script runs.
        (["vmtknumpy", "vmtkdoubler", "-number", "200"], "error: vmtkdoubler: option -number: 200.0 is out of range"),
        (["vmtknumpy", "vmtkdoubler", "-number", "x"], "error: vmtkdoubler: option -number: 'x' is not a number"),
        (["vmtknumpy", "vmtkdoubler", "-nosuch", "1"], "error: vmtkdoubler: unknown option -nosuch"),
        # A RuntimeError raised by another package's script is its way of reporting bad input.
        (["vmtknumpy", "vmtkdoubler", "-number", "-3"], "error: vmtkdoubler: negative numbers are not doubled\n"),
    ],
)
def test_another_packages_script_errors_are_one_line_without_usage_or_traceback(
    capsys, second_package, arguments, message
):
    assert cli.main(arguments) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith(message)
    assert captured.err.count("\n") == 1
    assert "Input arguments" not in captured.out + captured.err
    assert "Traceback" not in captured.err


def test_a_runtime_error_of_the_packages_own_script_is_a_bug_and_keeps_its_traceback(monkeypatch):
    from vmtkscripts_numpy.pypes.lookup import find_script_class

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(find_script_class("vmtktestsource"), "Execute", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["vmtknumpy", "--nolog", "vmtktestsource"])


def test_a_script_module_run_with_python_m_is_the_packages_script(tmp_path):
    missing = tmp_path / "missing.vtp"

    result = subprocess.run([sys.executable, "-m", "vmtkscripts_numpy.vmtksurfacereader", "-ifile", str(missing)],
                            capture_output=True, text=True, check=False)

    # The package's reader, with vmtk installed or not: one line naming the file.
    assert result.returncode == 1
    assert result.stderr == f"error: vmtksurfacereader: {missing}: no such file\n"
