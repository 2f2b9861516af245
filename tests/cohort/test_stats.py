"""Statistics of one array over a packed cohort, computed a chunk at a time, equal to numpy's over all of it."""

import numpy as np
import pytest

from vmtkscripts_numpy.cohort import pack
from vmtkscripts_numpy.cohort.sample import sample_case

from .test_pack import image_case


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    cases = {f"s{seed}": sample_case(seed) for seed in range(12)}
    cases.update({f"i{seed}": image_case(seed, "zyx") for seed in range(5)})
    # One case whose stress is float64 where the others' is float32: two columns, one statistic.
    cases["s3"]["PointData"]["WallShearStress"] = cases["s3"]["PointData"]["WallShearStress"].astype(np.float64)
    return cases, pack(cases, tmp_path_factory.mktemp("stats") / "packed", shard_bytes=100_000)


def everything(cases, *keys):
    arrays = []
    for case in cases.values():
        node = case
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        if node is not None:
            arrays.append(node)
    return arrays


@pytest.mark.parametrize("chunk_bytes", [64, 4096, 2**26], ids=["tiny chunks", "small chunks", "one chunk"])
def test_the_statistics_of_a_point_data_array_are_numpy_s_over_the_whole_cohort(cohort, chunk_bytes):
    cases, packed = cohort
    arrays = everything(cases, "PointData", "WallShearStress")
    values = np.concatenate([array.astype(np.float64) for array in arrays])

    stats = packed.statistics("PointData/WallShearStress", chunk_bytes=chunk_bytes)

    assert (stats.cases, stats.count) == (12, values.size)
    assert stats.mean == pytest.approx(values.mean(), rel=1e-12)
    assert stats.std == pytest.approx(values.std(), rel=1e-9)
    assert (stats.min, stats.max) == (values.min(), values.max())


def test_per_component_statistics_of_vectors(cohort):
    cases, packed = cohort
    points = np.concatenate(everything(cases, "Points"))

    stats = packed.statistics("Points", per_component=True, chunk_bytes=1000)

    np.testing.assert_allclose(stats.mean, points.mean(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(stats.min, points.min(axis=0))
    np.testing.assert_array_equal(stats.max, points.max(axis=0))


def test_images_of_different_sizes_give_statistics_of_every_voxel(cohort):
    cases, packed = cohort
    voxels = np.concatenate([array.ravel() for array in everything(cases, "PointData", "ImageScalars")])
    velocity = np.concatenate([array.reshape(-1, 3) for array in everything(cases, "PointData", "Velocity")])

    scalars = packed.statistics("PointData/ImageScalars", chunk_bytes=100)
    vectors = packed.statistics("PointData/Velocity", per_component=True, chunk_bytes=100)

    assert scalars.count == voxels.size and scalars.mean == pytest.approx(voxels.mean(), rel=1e-12)
    assert scalars.min.dtype == np.int16 and (scalars.min, scalars.max) == (voxels.min(), voxels.max())
    np.testing.assert_allclose(vectors.mean, velocity.mean(axis=0, dtype=np.float64), rtol=1e-9)


def test_an_array_no_case_has_is_named_with_those_there_are(cohort):
    _, packed = cohort

    with pytest.raises(KeyError, match="PointData/Pressure.*PointData/WallShearStress"):
        packed.statistics("PointData/Pressure")
