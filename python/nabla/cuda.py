"""nabla.cuda: nabla runs on the CPU, so `'cuda' if nabla.cuda.is_available() else 'cpu'` picks 'cpu'."""


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """Nothing to seed (no GPU); kept so that torch code seeding every device runs."""


def manual_seed_all(seed):
    """Nothing to seed (no GPU)."""


def synchronize(device=None):
    """Nothing to wait for (no GPU)."""
