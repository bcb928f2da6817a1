"""Deployment tests: each module starts the Spark it needs (see deployment.py) and stops it.

`WORKER_PYTHON` names an interpreter with pyarrow and none of the wheels: what a Spark node
that never installed them runs (`make test-deploy` makes one)."""

import os
import sys

import pytest

# The expected values of the examples live beside the local tests.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))


@pytest.fixture(scope="session")
def worker_python():
    python = os.environ.get("WORKER_PYTHON")
    if not python or not os.path.exists(python):
        pytest.fail("WORKER_PYTHON must name an interpreter without the wheels: run `make test-deploy`")
    probe = f"import importlib.util as u, sys; sys.exit(u.find_spec('pyspark_fakepeople') is not None)"
    assert os.spawnv(os.P_WAIT, python, [python, "-c", probe]) == 0, f"{python} has the wheel"
    return python


def sdk_source_names():
    """The name of every source an SDK wheel in this interpreter lets Spark find by itself:
    Spark's own lookup (every top-level `pyspark_*` module's `DefaultSource`)."""
    import importlib
    import pkgutil

    names = {}
    for info in pkgutil.iter_modules():
        if info.name.startswith("pyspark_"):
            module = importlib.import_module(info.name)
            source = getattr(module, "DefaultSource", None)
            wheel = sys.modules.get(getattr(source, "__module__", ""), None)
            if source is not None and hasattr(wheel, "ship"):  # made by this SDK
                names[source.name()] = info.name
    return names
