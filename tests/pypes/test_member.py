"""Parsing option values: types, lengths and ranges, with errors that name the option."""

import pytest

from vmtkscripts_numpy.pypes import PypeError, pypeMember


def member(type_="int", length=1, range_="", option="opt"):
    return pypeMember("Member", option, type_, length, range_, "doc")


@pytest.mark.parametrize(
    "type_, words, expected",
    [
        ("int", ["42"], [42]),
        ("int", ["-3"], [-3]),
        ("float", ["2.5"], [2.5]),
        ("float", ["-1e-3"], [-1e-3]),
        ("str", ["a b"], ["a b"]),
        ("bool", ["1"], [1]),
        ("bool", ["0"], [0]),
    ],
)
def test_values_are_parsed_to_the_member_type(type_, words, expected):
    assert member(type_).ParseValues(words) == expected


@pytest.mark.parametrize(
    "type_, word, problem",
    [("int", "2.5", "not an integer"), ("float", "abc", "not a number"), ("bool", "2", "give 0 or 1")],
)
def test_a_value_of_the_wrong_type_names_the_option(type_, word, problem):
    with pytest.raises(PypeError, match=rf"-opt: .*{problem}"):
        member(type_).ParseValues([word])


def test_object_members_cannot_be_given_as_text():
    with pytest.raises(PypeError, match="-opt: takes a vtkPolyData object"):
        member("vtkPolyData").ParseValues(["surface.vtp"])


@pytest.mark.parametrize("length, words", [(1, []), (1, ["1", "2"]), (3, ["1", "2"]), (0, ["1"])])
def test_a_wrong_number_of_values_is_an_error(length, words):
    with pytest.raises(PypeError, match="-opt"):
        member(length=length).ParseValues(words)


def test_length_minus_one_takes_any_number_of_values():
    assert member(length=-1).ParseValues([]) == []
    assert member(length=-1).ParseValues(["1", "2", "3", "4"]) == [1, 2, 3, 4]


def test_value_from_parsed_follows_the_length():
    assert member(length=0).ValueFromParsed([]) == 1
    assert member(length=1).ValueFromParsed([7]) == 7
    assert member(length=2).ValueFromParsed([7, 8]) == [7, 8]


def test_enumeration_range_accepts_listed_values_only():
    mode = member("str", range_='["pickle","hdf5"]')
    assert mode.GetRangeEnumeration() == ["pickle", "hdf5"]
    assert mode.ParseValues(["hdf5"]) == ["hdf5"]
    with pytest.raises(PypeError, match=r"-opt: 'npy' is out of range; should be in \['pickle', 'hdf5'\]"):
        mode.ParseValues(["npy"])


@pytest.mark.parametrize(
    "range_, inside, outside, words",
    [
        ("(0,9)", ["0", "9"], ["-1", "10"], ">= 0 and <= 9"),
        ("(0,)", ["0", "1000000"], ["-1"], ">= 0"),
        ("(,1.5)", ["-100", "1.5"], ["1.6"], "<= 1.5"),
    ],
)
def test_bounded_ranges_may_be_open_at_either_end(range_, inside, outside, words):
    bounded = member("float", range_=range_)
    assert bounded.GetRangeRepresentation() == words
    for word in inside:
        bounded.ParseValues([word])
    for word in outside:
        with pytest.raises(PypeError, match="out of range"):
            bounded.ParseValues([word])


def test_ranges_apply_to_every_value_of_a_list():
    with pytest.raises(PypeError, match="5"):
        member(length=-1, range_="(0,4)").ParseValues(["1", "5"])


def test_a_hostile_value_is_only_a_bad_value(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hostile = "1');import os;os.system('touch pwned');('"
    for type_ in ("int", "float", "bool"):
        with pytest.raises(PypeError):
            member(type_).ParseValues([hostile])
    assert member("str").ParseValues([hostile]) == [hostile]
    hostile_range = member("str", range_="[__import__('os').system('touch pwned')]")
    assert not hostile_range.IsInRange("a")
    assert not (tmp_path / "pwned").exists()
