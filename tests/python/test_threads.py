"""nabla.set_num_threads / get_num_threads, as torch's: the setting reads back, bad counts are
errors, and nabla's own kernels give the same bits on any thread count (OpenBLAS's large products
may differ in the last bits between counts, as the README says)."""
import pytest

import nabla


def test_threads_setting_reads_back_and_keeps_results():
    before = nabla.get_num_threads()
    try:
        nabla.manual_seed(0)
        a, b = nabla.randn(128, 256), nabla.randn(256, 128)  # nabla's own GEMM (OpenBLAS above)
        nabla.set_num_threads(1)
        assert nabla.get_num_threads() == 1
        one = (a @ b).numpy().copy()
        nabla.set_num_threads(2)
        assert nabla.get_num_threads() == 2
        two = (a @ b).numpy()
        assert (one == two).all()
    finally:
        nabla.set_num_threads(before)


@pytest.mark.parametrize("n", [0, -3])
def test_bad_thread_counts_are_errors(n):
    with pytest.raises(ValueError, match="must be >= 1"):
        nabla.set_num_threads(n)
