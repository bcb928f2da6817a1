"""What a wheel built with the SDK carries beyond its native module: a `pyspark_*` module per
source (Spark finds each by name), `python -m <module>` (its sources; `archive`), a platform
check when the library cannot load, and `ship(spark)` in a classic session."""

import importlib
import os
import struct
import subprocess
import sys
import textwrap
import zipfile

import pyspark_fakepeople
import pytest
from conftest import sdk_source_names
from deployment import run_app, spark_env
from pyspark.sql.datasource import DataSource

WHEELS = ["pyspark_fakepeople", "pyspark_fakerange", "pyspark_arrowfiles", "pyspark_filesink", "pyspark_tail",
          "pyspark_sqldb", "pyspark_rest", "pyspark_sdk_fixtures"]


def exported(module_name):
    module = importlib.import_module(module_name)
    classes = [getattr(module, name) for name in module.__all__ if name != "DefaultSource"]
    return {c.name() for c in classes if isinstance(c, type) and issubclass(c, DataSource)}


def test_every_exported_source_has_a_module_spark_finds_it_by():
    found = sdk_source_names()
    for wheel in WHEELS:
        names = exported(wheel)
        assert names and names <= set(found), (wheel, names - set(found))
    assert found["fakerange"] == "pyspark_fakerange"
    assert found["sdk_vault"] == "pyspark_sdk_vault"


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_sources_after_the_first_are_read_by_name_without_register(spark):
    # No register() in this module: Spark's own lookup found the generated modules.
    assert spark.read.format("fakewide").option("numRows", 7).load().count() == 7
    assert spark.read.format("sdk_shapes").load().count() > 0


def run_module(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pyspark_fakepeople", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_the_module_command_lists_every_source_with_its_options():
    listed = run_module()
    assert listed.returncode == 0, listed.stderr
    for name in exported("pyspark_fakepeople"):
        assert f"## {name} (pyspark_fakepeople." in listed.stdout, name
    assert "| `numRows` | `u64` | `1000` |" in listed.stdout
    assert "archive [DIRECTORY]" in listed.stdout
    wrong = run_module("unpack")
    assert wrong.returncode == 2 and "usage:" in wrong.stderr


def test_archive_packs_the_installed_package_with_its_wheel_tags(tmp_path):
    made = run_module("archive", str(tmp_path / "out"))
    assert made.returncode == 0, made.stderr
    spec = made.stdout.strip()
    assert spec == f"{tmp_path}/out/pyspark_fakepeople.zip#pyspark_fakepeople"
    assert "spark-submit --archives" in made.stderr
    package_dir = os.path.dirname(pyspark_fakepeople.__file__)
    with zipfile.ZipFile(spec.partition("#")[0]) as archive:
        names = set(archive.namelist())
        shipped = {n for n in os.listdir(package_dir) if n != "__pycache__"}
        assert names == shipped | {"WHEEL"}, names
        tag = archive.read("WHEEL").decode()
    assert tag.startswith("Tag: cp39-abi3-") and os.uname().machine in tag, tag


def unpacked_copy(tmp_path):
    """The package as a node unpacks it from its archive, in `<tmp_path>/site`."""
    spec = pyspark_fakepeople.archive(str(tmp_path))
    target = tmp_path / "site" / "pyspark_fakepeople"
    with zipfile.ZipFile(spec.partition("#")[0]) as archive:
        archive.extractall(target)
    return target


def foreign_copy(tmp_path, machine, tag):
    """The unpacked package with its library marked for another CPU."""
    target = unpacked_copy(tmp_path)
    library = next(target.glob("pyspark_fakepeople*.so"))
    elf = bytearray(library.read_bytes())
    elf[18:20] = struct.pack("<H", machine)  # e_machine
    library.write_bytes(bytes(elf))
    (target / "WHEEL").write_text(f"Tag: {tag}\n")
    return tmp_path / "site"


def import_isolated(site, prelude=""):
    code = f"import sys; sys.path.insert(0, {str(site)!r}); {prelude}import pyspark_fakepeople"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_a_library_for_another_platform_names_both_platforms(tmp_path):
    site = foreign_copy(tmp_path, 183, "cp39-abi3-manylinux_2_99_aarch64")  # EM_AARCH64
    failed = import_isolated(site)
    assert failed.returncode != 0
    message = failed.stderr
    assert "pyspark_fakepeople cannot load its native library on this machine" in message, message
    assert "built for: CPython 3.9 or newer (abi3), Linux with glibc 2.99 or newer, aarch64" in message
    assert f"Mismatch: an aarch64 library on an {os.uname().machine} machine" in message, message
    assert "older than the 2.99 it needs" in message, message
    assert "The loader said:" in message


def test_other_import_errors_pass_through_unchanged(tmp_path):
    # A working library whose own imports fail (pyarrow missing) is not a platform problem.
    unpacked_copy(tmp_path)
    failed = import_isolated(tmp_path / "site", prelude="sys.modules['pyarrow'] = None; ")
    assert "ModuleNotFoundError" in failed.stderr and "pyarrow" in failed.stderr, failed.stderr
    assert "cannot load its native library" not in failed.stderr, failed.stderr


SHIP_APP = textwrap.dedent(
    """
    import json
    from pyspark.sql import SparkSession

    import pyspark_fakerange

    spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
    try:
        spark.read.format("fakerange").load().schema
        found_before = True
    except Exception as error:
        found_before = "DATA_SOURCE_NOT_FOUND" not in str(error)
    pyspark_fakerange.ship(spark)
    total = spark.read.format("fakerange").option("numRows", 1000).option("numPartitions", 4)
    print(json.dumps({"found_before": found_before, "sum": total.load().selectExpr("sum(id)").first()[0]}))
    spark.stop()
    """
)


def test_ship_in_a_classic_session_whose_python_lacks_the_wheel(tmp_path, worker_python):
    (tmp_path / "app.py").write_text(SHIP_APP)
    # This interpreter runs the application; Spark's Python processes run one without the wheel.
    result = run_app([sys.executable, str(tmp_path / "app.py")], spark_env(worker_python))
    assert result == {"found_before": False, "sum": sum(range(1000))}
