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


def test_a_second_packages_scripts_are_found_when_it_is_installed(second_package):
    assert find_script_class("vmtkdoubler").__module__ == "second_scripts.vmtkdoubler"
    assert "vmtkdoubler" in available_script_names()


def test_a_name_both_packages_have_is_vmtks_script(second_package):
    # Readers and writers (any script but the numpy ones) run as vmtk runs them, for vmtk's numbers.
    assert find_script_class("vmtktestsink").__module__ == "second_scripts.vmtktestsink"


def test_a_numpy_script_both_packages_have_is_this_packages(second_package):
    assert find_script_class("vmtktestnumpysink").__module__ == "pipe_test_scripts.vmtktestnumpysink"


@pytest.mark.parametrize(
    "name, module",
    [
        ("pipe_test_scripts.vmtktestsink", "pipe_test_scripts.vmtktestsink"),
        ("second_scripts.vmtktestsink", "second_scripts.vmtktestsink"),
        ("second_scripts.vmtktestnumpysink", "second_scripts.vmtktestnumpysink"),
    ],
)
def test_a_qualified_name_picks_the_package(second_package, name, module):
    assert find_script_class(name).__module__ == module


def test_a_qualified_name_of_a_script_the_package_lacks_is_unknown_there(second_package):
    with pytest.raises(PypeError, match=r"unknown script 'vmtkdoubler' in pipe_test_scripts"):
        find_script_class("pipe_test_scripts.vmtkdoubler")


def test_pipes_mix_both_packages_and_pick_by_qualified_name(second_package):
    pipe = PypeRun(
        "vmtktestsource -value 2 -count 2 --pipe vmtkdoubler --pipe vmtktestnumpysink "
        "--pipe pipe_test_scripts.vmtktestsink --pipe vmtktestsink -id 1",
        output_stream=io.StringIO(),
    )
    by_id = {(type(script).__module__, script.Id): script for script in pipe.ScriptObjectList}
    assert by_id["pipe_test_scripts.vmtktestnumpysink", "0"].Report == "test scripts: 8.0"
    assert by_id["pipe_test_scripts.vmtktestsink", "0"].Report == "source:8.0:"
    assert by_id["second_scripts.vmtktestsink", "1"].Report == "second package"


def test_without_the_second_package_its_scripts_are_unknown():
    with pytest.raises(PypeError, match="unknown script 'vmtkdoubler'"):
        find_script_class("vmtkdoubler")
