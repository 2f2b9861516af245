"""Image <-> ArrayDict conversion time for a small and a large volume, both directions.

Zero-copy conversion should take about as long for 512³ voxels as for 16³;
the copying variants are shown beside it for scale.

Run from the project root::

    python -m benchmarks.bench_image            # 16³ and 512³
    python -m benchmarks.bench_image 16 256     # other sizes
"""

import sys
import timeit

import numpy as np

from vmtkscripts_numpy.convert.image import dict_to_image, image_from_array, image_to_dict


def best_time(function, repeat=5):
    """The fastest of ``repeat`` runs, in milliseconds (the least disturbed by other work)."""
    return 1e3 * min(timeit.repeat(function, number=1, repeat=repeat))


def main(sizes):
    print(f"{'voxels':>8} {'dtype':>8} {'order':>5}  {'to dict':>9} {'to image':>9} {'to dict, copy':>14} "
          f"{'to image, copy':>15}   (ms, best of 5)")
    for size in sizes:
        for dtype in (np.uint8, np.float32):
            for order in ("xyz", "zyx"):
                # np.ones touches every page, so that copies are measured against real memory.
                volume = np.ones((size, size, size), dtype=dtype, order="F" if order == "xyz" else "C")
                image = image_from_array(volume, index_order=order)
                array_dict = image_to_dict(image, index_order=order)
                times = [
                    best_time(lambda: image_to_dict(image, index_order=order)),
                    best_time(lambda: dict_to_image(array_dict)),
                    best_time(lambda: image_to_dict(image, index_order=order, copy=True), repeat=2),
                    best_time(lambda: dict_to_image(array_dict, share=False), repeat=2),
                ]
                print(f"{size:>7}³ {np.dtype(dtype).name:>8} {order:>5}  {times[0]:9.3f} {times[1]:9.3f} "
                      f"{times[2]:14.3f} {times[3]:15.3f}")
                del volume, image, array_dict


if __name__ == "__main__":
    main([int(word) for word in sys.argv[1:]] or [16, 512])
