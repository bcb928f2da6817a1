"""The wheels `make test` built and every PySpark test ran on are portable: manylinux2014
(glibc 2.17), which `auditwheel` confirms from the symbols inside, and the check that says so
fails on a wheel whose tag claims more or less than its symbols allow."""

import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_packaging import WHEELS

ROOT = Path(__file__).resolve().parents[2]
WHEEL_DIR = ROOT / "target" / "wheels"
CHECK = ROOT / "examples" / "starter" / "tools" / "check_wheels.py"
# auditwheel lives in the venv that builds the wheels (the newest PySpark's).
BUILD_BIN = ROOT / ".venv" / "bin"


def check(*wheels):
    env = dict(os.environ, PATH=f"{BUILD_BIN}:{os.environ['PATH']}")
    return subprocess.run([str(BUILD_BIN / "python"), str(CHECK), "--oldest-glibc", "2.17", *map(str, wheels)],
                          capture_output=True, text=True, env=env)


def built(name):
    found = sorted(WHEEL_DIR.glob(f"{name}-*.whl"))
    assert len(found) == 1, f"{name}: expected one wheel in {WHEEL_DIR}, found {found}"
    return found[0]


def test_every_wheel_is_manylinux2014_and_auditwheel_agrees():
    wheels = [built(name) for name in WHEELS]
    arch = platform.machine()
    for wheel in wheels:
        assert f"manylinux2014_{arch}" in wheel.name, wheel.name
    done = check(*wheels)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("auditwheel agrees with its tag") == len(wheels), done.stdout


@pytest.mark.parametrize("claimed, complaint", [
    # Older than its symbols allow: pip would install it where it cannot load.
    ("manylinux2010", "auditwheel says manylinux_2_17"),
    # Newer than needed: pip would refuse it where it loads.
    ("manylinux_2_28", "auditwheel says manylinux_2_17"),
])
def test_a_wheel_whose_tag_is_not_its_symbols_verdict_fails(tmp_path, claimed, complaint):
    wheel = built("pyspark_fakepeople")
    arch = platform.machine()
    renamed = tmp_path / wheel.name.replace(f"manylinux2014_{arch}.manylinux_2_17_{arch}", f"{claimed}_{arch}")
    assert renamed.name != wheel.name
    shutil.copy(wheel, renamed)
    done = check(renamed)
    assert done.returncode == 1, done.stdout
    assert renamed.name in done.stdout and complaint in done.stdout, done.stdout


def test_the_tests_ran_on_the_portable_wheels():
    # What pip installed in this interpreter (the one every PySpark test ran) is the checked wheel.
    for name in WHEELS:
        tags = importlib.metadata.distribution(name).read_text("WHEEL")
        assert f"manylinux2014_{platform.machine()}" in tags, (name, tags, sys.executable)
