"""Which files a cohort has, and what each case is called: from glob patterns, files and CSV manifests."""

import os

import pytest

from vmtkscripts_numpy.cohort.cases import Case, find_cases, read_manifest, write_manifest


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    return path


def test_a_glob_gives_the_files_sorted_and_named_without_their_extension(tmp_path):
    for name in ("case10.vtp", "case02.vtp", "notes.txt"):
        touch(tmp_path / name)

    cases = find_cases(str(tmp_path / "*.vtp"))

    assert [case.name for case in cases] == ["case02", "case10"]
    assert cases[0].input == str(tmp_path / "case02.vtp") and os.path.isabs(cases[0].input)


def test_one_folder_per_patient_gives_names_with_the_folder(tmp_path):
    for patient in ("p1", "p2"):
        touch(tmp_path / patient / "surface.vtp")
        touch(tmp_path / patient / "ct.nii.gz")

    surfaces = find_cases(str(tmp_path / "*" / "surface.vtp"))
    images = find_cases(str(tmp_path / "**" / "*.nii.gz"))

    assert [case.name for case in surfaces] == ["p1/surface", "p2/surface"]
    assert [case.name for case in images] == ["p1/ct", "p2/ct"]


def test_two_inputs_of_one_name_are_refused_with_both_named(tmp_path):
    first, second = touch(tmp_path / "a.vtp"), touch(tmp_path / "a.stl")

    with pytest.raises(ValueError, match="two inputs give the case name 'a'") as error:
        find_cases([str(first), str(second)])
    assert str(second) in str(error.value)


def test_a_pattern_that_matches_nothing_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no file matches"):
        find_cases(str(tmp_path / "*.vtp"))


def test_a_manifest_gives_inputs_relative_to_itself_names_and_fields(tmp_path):
    touch(tmp_path / "data" / "left.vtp")
    touch(tmp_path / "data" / "right.vtp")
    manifest = tmp_path / "cohort.csv"
    manifest.write_text("input,name,side\ndata/left.vtp,L01,left\ndata/right.vtp,,right\n")

    cases = find_cases(str(manifest))

    assert cases == [
        Case("L01", str(tmp_path / "data" / "left.vtp"), {"side": "left"}),
        Case("right", str(tmp_path / "data" / "right.vtp"), {"side": "right"}),
    ]


@pytest.mark.parametrize("header, message", [
    ("file,name", "no column 'input'"),
    ("input,output", "cannot name outputs"),
    ("input,body part", "cannot be used as {body part}"),
])
def test_a_manifest_that_cannot_work_is_refused_before_anything_runs(tmp_path, header, message):
    manifest = tmp_path / "cohort.csv"
    manifest.write_text(f"{header}\na.vtp,b\n")

    with pytest.raises(ValueError, match=message):
        read_manifest(manifest)


def test_a_written_manifest_reads_back(tmp_path):
    cases = [Case("a", str(tmp_path / "a.vtp"), {"age": "61"}), Case("b", str(tmp_path / "b.vtp"), {"age": "70"})]

    assert read_manifest(write_manifest(cases, tmp_path / "m.csv")) == cases


@pytest.mark.parametrize("name", ["", "../escape", "a//b", ".hidden", "a/./b"])
def test_a_manifest_name_must_stay_inside_the_output_folder(tmp_path, name):
    touch(tmp_path / "a.vtp")

    with pytest.raises(ValueError, match="case name"):
        find_cases([Case(name, str(tmp_path / "a.vtp"))])
