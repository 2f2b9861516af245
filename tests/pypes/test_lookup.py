"""Finding scripts: this package first, then vmtk's, with suggestions for typos."""

import io

import pytest

from vmtkscripts_numpy.pypes import PypeError, PypeRun, available_script_names, find_script_class


def test_a_name_resolves_to_the_script_class_of_its_module():
    cls = find_script_class("vmtktestsource")
    assert cls.__name__ == "vmtkTestSource"
    assert cls.__module__ == "pipe_test_scripts.vmtktestsource"


def test_an_unknown_name_lists_close_matches():
    with pytest.raises(PypeError, match=r"unknown script 'vmtktestsorce'; did you mean vmtktestsource"):
        find_script_class("vmtktestsorce")


def test_an_unknown_name_without_close_match_points_to_the_list():
    with pytest.raises(PypeError, match="vmtknumpy --help"):
        find_script_class("zzzzzz")


@pytest.mark.parametrize("name", ["os.path", "../evil", "vmtk test", ""])
def test_names_that_are_not_identifiers_are_refused(name):
    with pytest.raises(PypeError, match="not a script name"):
        find_script_class(name)


def test_vmtk_scripts_are_found_when_vmtk_is_installed(fake_vmtk):
    assert find_script_class("vmtkfromvmtk").__module__ == "vmtk.vmtkfromvmtk"
    assert "vmtkfromvmtk" in available_script_names()


def test_this_package_comes_before_vmtk(fake_vmtk):
    # The fake vmtk has a vmtktestsink too; the package searched first wins.
    assert find_script_class("vmtktestsink").__module__ == "pipe_test_scripts.vmtktestsink"


def test_pipes_mix_this_packages_scripts_with_vmtks(fake_vmtk):
    pipe = PypeRun("vmtktestsource -value 2 -count 2 --pipe vmtkfromvmtk --pipe vmtktestsink",
                   output_stream=io.StringIO())
    assert pipe.ScriptObjectList[-1].Number == 8.0


def test_without_vmtk_its_scripts_are_unknown():
    with pytest.raises(PypeError, match="unknown script 'vmtkfromvmtk'"):
        find_script_class("vmtkfromvmtk")
