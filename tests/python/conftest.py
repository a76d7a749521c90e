"""pytest setup for nabla's Python tests: run from the repository root after a build,

    /usr/bin/python3 -m pytest tests/python -q

The package under test is build/python/nabla (what the build makes) when it exists, else the
installed one; NABLA_PYTHON_DIR names another directory holding a nabla package. PyTorch is the
oracle: each test computes the same thing with torch and compares.
"""
import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_dir = os.environ.get("NABLA_PYTHON_DIR") or str(ROOT / "build" / "python")
if (pathlib.Path(_dir) / "nabla").is_dir():
    sys.path.insert(0, _dir)


@pytest.fixture
def seeded():
    """Seeds nabla and torch alike."""
    import nabla
    import torch

    def seed(s):
        nabla.manual_seed(s)
        torch.manual_seed(s)

    return seed
