"""Packed cohorts: per-case ArrayDicts into a few HDF5 shards, read back lazily and exactly as they were."""

import multiprocessing
import os
import pickle
import subprocess
import sys

import h5py
import numpy as np
import pytest

import vmtkscripts_numpy as vn
from vmtkscripts_numpy import sample_data
from vmtkscripts_numpy.cohort import open_cohort, pack
from vmtkscripts_numpy.cohort.records import write_index
from vmtkscripts_numpy.cohort.sample import sample_case
from vmtkscripts_numpy.errors import ArrayDictError, DataFileError

from ..storage.conftest import _same, every_leaf_dict


def image_case(seed, index_order):
    """An image of a size of its own, int16 voxels and a float32 vector field."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(3, 9, 3))
    arrays = vn.image_to_dict(vn.image_from_array(rng.integers(-1000, 3000, shape).astype(np.int16),
                                                  spacing=(0.5, 0.6, 1.0), origin=(seed, 0, 0)),
                              index_order=index_order)
    arrays["PointData"]["Velocity"] = rng.random(arrays["PointData"]["ImageScalars"].shape + (3,)).astype(np.float32)
    return arrays


def mixed_cases():
    """Every kind of case the converters give, of differing sizes, and one with every leaf a file can hold."""
    cases = {}
    for seed in range(4):
        cases[f"surface{seed}"] = sample_case(seed, "surface")
        cases[f"centerlines{seed}"] = sample_case(seed, "centerlines")
        cases[f"image{seed}"] = image_case(seed, "xyz" if seed % 2 else "zyx")
    cases["mesh"] = vn.mesh_to_dict(sample_data.make_mesh())
    cases["every leaf"] = every_leaf_dict()
    return cases


@pytest.fixture(scope="module")
def cases():
    return mixed_cases()


@pytest.mark.parametrize("shard_bytes", [1, 40_000, 2**30], ids=["a shard per case", "a few shards", "one shard"])
def test_every_case_reads_back_exactly_as_it_was(tmp_path, cases, shard_bytes):
    cohort = pack(cases, tmp_path / "packed", shard_bytes=shard_bytes)

    assert len(cohort) == len(cases) and cohort.names == list(cases)
    for position, (name, expected) in enumerate(cases.items()):
        _same(expected, cohort[position], name)  # keys and their order, types, dtypes, shapes, bits
    fortran = cohort["image1"]["PointData"]["ImageScalars"]
    assert fortran.flags.f_contiguous and not fortran.flags.c_contiguous  # as vmtk's [x, y, z] images are


def test_compressed_shards_read_back_the_same(tmp_path, cases):
    cohort = pack(cases, tmp_path / "packed", compression="gzip", shard_bytes=40_000)

    for name, expected in cases.items():
        _same(expected, cohort[name], name)


def test_each_array_of_a_shard_is_one_dataset_however_many_cases_and_lines(tmp_path):
    centerlines = {f"c{seed}": sample_case(seed, "centerlines") for seed in range(50)}
    lines = sum(len(case["CellData"]["CellPointIds"]) for case in centerlines.values())

    pack(centerlines, tmp_path / "packed")

    with h5py.File(tmp_path / "packed" / "shard-00000.h5", "r") as shard:
        datasets = []
        shard.visititems(lambda name, item: datasets.append(name) if isinstance(item, h5py.Dataset) else None)
        places = {shard["c"][group].attrs["place"]: shard["c"][group] for group in shard["c"]}
        line_ids = places["CellData/CellPointIds/*"]
        assert len(line_ids["case_offsets"]) == 50 + 1 and line_ids["case_offsets"][-1] == lines
        assert len(line_ids["offsets"]) == lines + 1 and line_ids["offsets"][-1] == len(line_ids["data"])
        assert len(shard["skeletons"]) == 1  # fifty cases of one layout share one skeleton
    assert len(datasets) < 40


def test_reading_one_case_reads_that_case_s_arrays_and_not_the_others(tmp_path, monkeypatch, cases):
    cohort = pack(cases, tmp_path / "packed")
    expected_bytes = sum(array.nbytes for array in _arrays(cases["centerlines2"]))
    read = []
    original = h5py.Dataset.__getitem__

    def counting(dataset, selection):
        value = original(dataset, selection)
        if dataset.name.endswith("/data"):
            read.append(value.nbytes)
        return value

    monkeypatch.setattr(h5py.Dataset, "__getitem__", counting)

    cohort["centerlines2"]

    assert sum(read) == expected_bytes


def _arrays(tree):
    if isinstance(tree, dict):
        for value in tree.values():
            yield from _arrays(value)
    elif isinstance(tree, (list, tuple)):
        for value in tree:
            yield from _arrays(value)
    elif isinstance(tree, np.ndarray):
        yield tree


def test_a_run_folder_packs_the_cases_its_index_lists_as_done_in_its_order(tmp_path):
    folder = tmp_path / "arrays"
    folder.mkdir()
    for name in ("b", "a"):
        vn.write_array_dict(sample_case(ord(name), "centerlines"), folder / f"{name}.hdf5")
    rows = [
        {"name": "b", "output": "b.hdf5", "status": "done"},
        {"name": "broken", "output": "broken.hdf5", "status": "failed"},
        {"name": "a", "output": "a.hdf5", "status": "skipped"},
    ]
    write_index(rows, folder / "index.csv")

    cohort = pack(folder, tmp_path / "packed")

    assert cohort.names == ["b", "a"]
    _same(vn.read_array_dict(folder / "a.hdf5"), cohort[1], "a")


def test_a_folder_without_index_packs_every_arraydict_file_in_it(tmp_path):
    folder = tmp_path / "arrays"
    for name in ("p2/surface.npz", "p1/surface.hdf5", "p1/notes.txt"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
    vn.write_array_dict(sample_case(1), folder / "p1" / "surface.hdf5")
    vn.write_array_dict(sample_case(2), folder / "p2" / "surface.npz")
    (folder / "p1" / "notes.txt").write_text("not a case")

    assert pack(folder, tmp_path / "packed").names == ["p1/surface", "p2/surface"]


def test_the_cohort_is_a_map_style_dataset(tmp_path, cases):
    cohort = pack(cases, tmp_path / "packed", shard_bytes=40_000)
    names = list(cases)

    assert len(cohort) == len(names)
    _same(cases[names[-1]], cohort[-1], "last")
    with pytest.raises(IndexError):
        cohort[len(names)]
    with pytest.raises(KeyError, match="no case named 'nobody'"):
        cohort["nobody"]
    assert cohort.index("mesh") == names.index("mesh")
    assert sum(1 for _ in cohort) == len(names)
    again = pickle.loads(pickle.dumps(cohort))
    assert len(pickle.dumps(cohort)) < 500  # its path, not its data
    _same(cases["surface3"], again["surface3"], "surface3")


WORKER_PROCESSES = """
import multiprocessing, sys
from vmtkscripts_numpy.cohort import open_cohort

def points_of(arguments):
    cohort, position = arguments
    return len(cohort[position]["Points"])

if __name__ == "__main__":
    cohort = open_cohort(sys.argv[1])
    cohort[0]  # an HDF5 file open in the parent, which the children must not use
    for method in ("fork", "spawn"):
        if method in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context(method).Pool(2) as pool:
                print(method, pool.map(points_of, [(cohort, position) for position in range(len(cohort))]))
"""


def test_worker_processes_read_a_cohort_their_parent_opened(tmp_path):
    # What PyTorch's DataLoader does with num_workers > 0: the dataset goes to each worker process, forked
    # (Linux) or spawned. In a process of its own: forking this one, with Dask's threads running, is unsafe.
    cases = {f"c{seed}": sample_case(seed, "centerlines") for seed in range(6)}
    pack(cases, tmp_path / "packed", shard_bytes=1)
    script = tmp_path / "workers.py"
    script.write_text(WORKER_PROCESSES)

    result = subprocess.run([sys.executable, str(script), str(tmp_path / "packed")], capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stderr
    expected = str([len(case["Points"]) for case in cases.values()])
    assert f"spawn {expected}" in result.stdout
    assert f"fork {expected}" in result.stdout or "fork" not in multiprocessing.get_all_start_methods()


def test_a_pytorch_dataloader_iterates_over_the_cohort(tmp_path):
    torch_data = pytest.importorskip("torch.utils.data")
    cases = {f"c{seed}": sample_case(seed, "centerlines") for seed in range(6)}
    cohort = pack(cases, tmp_path / "packed", shard_bytes=1)

    # Spawned workers: this process may run Dask's threads, which a fork would copy mid-flight.
    loader = torch_data.DataLoader(cohort, batch_size=None, shuffle=False, num_workers=2,
                                   multiprocessing_context="spawn")
    radii = [case["PointData"]["MaximumInscribedSphereRadius"] for case in loader]

    assert len(radii) == 6
    for got, case in zip(radii, cases.values()):
        np.testing.assert_array_equal(np.asarray(got), case["PointData"]["MaximumInscribedSphereRadius"])


def test_dask_reads_one_task_per_case(tmp_path, client):
    pytest.importorskip("dask.bag")
    cases = {f"c{seed}": sample_case(seed, "centerlines") for seed in range(8)}
    cohort = pack(cases, tmp_path / "packed", shard_bytes=1)
    expected = [len(case["Points"]) for case in cases.values()]

    counts = cohort.to_bag(npartitions=3).map(lambda case: len(case["Points"])).compute(scheduler=client)
    delayed = client.compute(cohort.to_delayed(), sync=True)

    assert counts == expected
    assert [len(case["Points"]) for case in delayed] == expected


def test_packing_refuses_to_replace_a_cohort_unless_asked(tmp_path):
    pack({"a": sample_case(0)}, tmp_path / "packed")

    with pytest.raises(DataFileError, match="exists already"):
        pack({"b": sample_case(1)}, tmp_path / "packed")
    assert pack({"b": sample_case(1)}, tmp_path / "packed", overwrite=True).names == ["b"]
    assert sorted(os.listdir(tmp_path)) == ["packed"]


def test_a_case_a_file_cannot_hold_is_named_and_nothing_is_left(tmp_path):
    with pytest.raises(ArrayDictError, match=r"case bad: ArrayDict\['PointData'\]\['x'\]: dtype object"):
        pack({"good": sample_case(0), "bad": {"PointData": {"x": np.array([None])}}}, tmp_path / "packed")
    assert os.listdir(tmp_path) == []


def test_a_folder_that_is_not_a_packed_cohort_is_refused(tmp_path):
    with pytest.raises(DataFileError, match="is not a packed cohort"):
        open_cohort(tmp_path)
