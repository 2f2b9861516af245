"""No ArrayDict converts to something different without an error or a warning naming the key.

A campaign per kind (surfaces, centerlines, meshes, images): random valid dicts,
mutated in their keys, dtypes, shapes, values, ``ArrayTypes``, ``ActiveArrays``,
cell types, cell ids and image placement, go through ``dict_to_*`` and back
through ``*_to_dict``. Each must come back the same, bit for bit, or raise an
``ArrayDictError`` naming a key, or say what changed with a ``LossWarning``
naming it (``arraydict_fuzzing.py`` holds the generators and that oracle).
Each campaign runs in a subprocess capped in time and memory: a converter
that crashes (SIGSEGV) fails its test with the case that crashed it.

By default each kind runs a short, fixed set of cases (a few seconds in all).
A long campaign, with random cases, from the project root::

    VMTKSCRIPTS_NUMPY_FUZZ_EXAMPLES=20000 VMTKSCRIPTS_NUMPY_FUZZ_SEED=$RANDOM nice -n 19 \\
        pytest -p no:cacheprovider -s tests/convert/test_fuzz_round_trip.py

(``-s`` prints each kind's counts of cases that came back the same, warned or
were refused.) To count every finding of a long run instead of stopping at the
first, run the worker itself with ``--keep-going`` (see ``arraydict_fuzzing.py``).
"""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("hypothesis")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORKER = HERE / "arraydict_fuzzing.py"
_spec = importlib.util.spec_from_file_location("arraydict_fuzzing", WORKER)
fuzzing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzzing)

from vmtkscripts_numpy.errors import ArrayDictError, LossWarning  # noqa: E402

EXAMPLES = int(os.environ.get("VMTKSCRIPTS_NUMPY_FUZZ_EXAMPLES", "100"))
SEED = os.environ.get("VMTKSCRIPTS_NUMPY_FUZZ_SEED")
#: Address space of a campaign: far above what small dicts need, low enough that a runaway allocation fails.
MEMORY_LIMIT = 4 << 30


def _cap_resources():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_campaign(kind, examples, tmp_path, *extra):
    """Run the worker on ``kind``; return its summary, or fail naming the crash and the case that caused it."""
    last_case = tmp_path / f"{kind}-last-case.txt"
    command = [sys.executable, str(WORKER), kind, "--examples", str(examples), "--last-case", str(last_case)]
    command += ["--seed", SEED] if SEED else []
    command += list(extra)
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp_path / "hypothesis"),  # its caches, out of the working tree
        "PYTHONIOENCODING": "utf-8",  # cases print any unicode key, whatever the locale (ASCII on some)
    }
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=environment, capture_output=True, encoding="utf-8", errors="replace",
            timeout=120 + examples,
            preexec_fn=_cap_resources if os.name == "posix" else None,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{kind}: the campaign timed out; the case it was on:\n{_read(last_case)}")
    if result.returncode < 0:
        pytest.fail(
            f"{kind}: the converters crashed ({signal.Signals(-result.returncode).name}) on this case:\n"
            f"{_read(last_case)}"
        )
    if result.returncode != 0:
        pytest.fail(f"{kind}: the campaign found a change:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    summary = json.loads(result.stdout.split("FUZZ-SUMMARY ", 1)[1])
    print(json.dumps(summary, sort_keys=True))
    return summary


def _read(path):
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else "(no case recorded)"


# --- the campaign ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", fuzzing.KINDS)
def test_every_dict_comes_back_the_same_or_is_refused_or_warned_about(kind, tmp_path):
    summary = run_campaign(kind, EXAMPLES, tmp_path)

    assert summary["cases"] == EXAMPLES
    # The campaign must reach all three outcomes, or it tests less than it says.
    assert summary.get("same", 0) and summary.get("error", 0), summary


@pytest.mark.skipif(os.name != "posix", reason="a crash is a signal only on POSIX")
def test_a_crash_fails_the_campaign_and_names_the_case(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="crashed \\(SIGSEGV\\) on this case:\n(polydata|centerlines)"):
        run_campaign("polydata", 5, tmp_path, "--crash-on-case", "3")


# --- the oracle: it must be able to fail ---------------------------------------------------------


def triangle(**extra):
    return {
        "Points": np.eye(3),
        "PointData": {"p": np.arange(3, dtype=np.int16)},
        "CellData": {"CellPointIds": np.array([[0, 1, 2]])},
        **extra,
    }


def case_of(array_dict):
    return {"kind": "polydata", "dict": array_dict, "share": True, "frame": "RAS", "mutations": []}


def test_a_valid_dict_comes_back_the_same():
    assert fuzzing.check_round_trip(case_of(triangle())) == "same"


def test_a_dtype_that_changes_silently_is_found():
    def widening(case):
        back = fuzzing.round_trip(case)
        back["PointData"]["p"] = back["PointData"]["p"].astype(np.int32)
        return back

    with pytest.raises(fuzzing.SilentChange, match=r"\['PointData'\]\['p'\]: dtype int16 became int32"):
        fuzzing.check_round_trip(case_of(triangle()), widening)


def test_a_change_is_accepted_when_a_warning_names_its_key():
    def warned(case):
        back = fuzzing.round_trip(case)
        warnings.warn("ArrayDict['PointData']['p']: comes back as int32", LossWarning)
        back["PointData"]["p"] = back["PointData"]["p"].astype(np.int32)
        return back

    assert fuzzing.check_round_trip(case_of(triangle()), warned) == "warned"


def test_a_warning_about_another_key_does_not_cover_a_change():
    def warned_elsewhere(case):
        back = fuzzing.round_trip(case)
        warnings.warn("ArrayDict['Points']: something", LossWarning)
        del back["PointData"]["p"]
        return back

    with pytest.raises(fuzzing.SilentChange, match=r"\['PointData'\]\['p'\]: missing"):
        fuzzing.check_round_trip(case_of(triangle()), warned_elsewhere)


def test_an_error_must_be_an_array_dict_error_naming_a_key():
    def failing(case):
        raise TypeError("unsupported operand")

    def unnamed(case):
        raise ArrayDictError("VTK refused the cells")

    with pytest.raises(fuzzing.SilentChange, match="TypeError instead of an ArrayDictError"):
        fuzzing.check_round_trip(case_of(triangle()), failing)
    with pytest.raises(fuzzing.SilentChange, match="does not name a key"):
        fuzzing.check_round_trip(case_of(triangle()), unnamed)


def test_a_converter_must_not_change_the_dict_it_is_given():
    def scribbling(case):
        case["dict"]["PointData"]["p"][0] = 7
        return fuzzing.round_trip(case)

    with pytest.raises(fuzzing.SilentChange, match="changed the dict it was given"):
        fuzzing.check_round_trip(case_of(triangle()), scribbling)


def test_an_origin_off_by_one_ulp_is_found():
    image = {
        "Origin": np.array([0.1, 0.2, 0.3]), "Dimensions": np.array([2, 2, 2]), "Spacing": np.ones(3),
        "Extent": np.array([0, 1, 0, 1, 0, 1]), "PointData": {},
    }

    def drifting(case):
        back = fuzzing.round_trip(case)
        back["Origin"] = np.nextafter(back["Origin"], np.inf)
        return back

    case = {"kind": "image", "dict": image, "share": True, "frame": "RAS", "mutations": []}
    assert fuzzing.check_round_trip(case) == "same"
    with pytest.raises(fuzzing.SilentChange, match=r"\['Origin'\]: values differ"):
        fuzzing.check_round_trip(case, drifting)
