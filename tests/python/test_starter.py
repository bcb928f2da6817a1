"""The crate `make new-source` made (as `make starter-check`, in target/starter-check), read
from PySpark with no edit: what a new user's first source does."""

import re
from pathlib import Path

import pyspark_starter_check
import yaml


def test_the_new_source_reads_from_spark_with_no_register_call(spark):
    assert pyspark_starter_check.DefaultSource.name() == "starter_check"
    df = spark.read.format("starter_check").option("rows", 7).option("greeting", "hey").load()
    assert df.schema.simpleString() == "struct<id:bigint,message:string>"
    rows = sorted(tuple(row) for row in df.collect())
    assert rows == [(i, f"hey #{i}") for i in range(7)]
    assert df.rdd.getNumPartitions() == 2


# The crate's release pipeline: its workflow is valid YAML and runs the commands its README gives.
CRATE = Path(__file__).resolve().parents[2] / "target" / "starter-check"


def readme_commands():
    """Every `make ...` command of the crate's README, as written in its code blocks."""
    readme = (CRATE / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    return {line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.startswith("make ")}


def test_the_workflow_is_yaml_running_the_readmes_commands():
    workflow = yaml.safe_load((CRATE / ".github" / "workflows" / "ci.yml").read_text())
    jobs = workflow["jobs"]
    assert set(jobs) == {"test", "wheels", "publish"}
    # YAML reads a bare `on` as True: the triggers are a push of main or a tag, and pull requests.
    triggers = workflow[True]
    assert triggers["push"]["tags"] == ["v*"] and "pull_request" in triggers
    commands = readme_commands()
    runs = [step["run"] for job in jobs.values() for step in job["steps"] if "run" in step]
    makes = {line.strip() for run in runs for line in run.splitlines() if line.strip().startswith("make ")}
    assert makes, runs
    for make in makes:
        # CI names its own venv; the command is the README's.
        assert make.replace(" VENV=.venv", "") in commands, (make, commands)
    # The wheels job builds what `make release` builds, for both CPUs, with maturin's action.
    wheels = jobs["wheels"]
    assert wheels["strategy"]["matrix"]["target"] == ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"]
    build = next(step for step in wheels["steps"] if step.get("uses", "").startswith("PyO3/maturin-action@"))
    makefile = (CRATE / "Makefile").read_text()
    release_flags = re.search(r"^RELEASE_FLAGS = (--release [^$]*)", makefile, re.M)[1].split()
    assert build["with"]["args"].split()[: len(release_flags)] == release_flags
    assert build["with"]["target"] == "${{ matrix.target }}"
    assert "make release TARGET=aarch64-unknown-linux-gnu" in commands
    # Publishing happens on a tag only, after the wheels, by PyPI's trusted publishing.
    publish = jobs["publish"]
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')" and publish["needs"] == "wheels"
    assert publish["permissions"] == {"id-token": "write"}


def test_the_crate_depends_on_the_sdk_by_version_and_develops_against_this_checkout():
    manifest = (CRATE / "Cargo.toml").read_text()
    assert re.search(r'^datasource-py = "0\.\d+"$', manifest, re.M), manifest
    patch = (CRATE / ".cargo" / "config.toml").read_text()
    sdk = Path(__file__).resolve().parents[2]
    assert f'datasource-py = {{ path = "{sdk}/datasource-py" }}' in patch
    assert "/.cargo/config.toml" in (CRATE / ".gitignore").read_text().splitlines()
