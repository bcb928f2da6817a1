"""A wheel's ways to reach Spark: `register(spark)`, `archive()` and `ship(spark)` for nodes
that lack the wheel, and the `python -m <package>` command."""

import atexit
import importlib
import os
import shutil
import sys
import tempfile
import zipfile

from pyspark.sql.datasource import DataSource


def define_register(sources, module):
    def register(spark):
        """Registers this module's data sources with `spark`. Spark already registered them
        if it found the wheel where it runs Python; that is not an error."""
        for source in sources:
            try:
                spark.dataSource.register(source)
            except Exception as error:  # PySpark 4.0 refuses to replace a registered name
                if "DATA_SOURCE_ALREADY_EXISTS" not in str(error):
                    raise

    register.__module__ = module
    return register


def define_deployment(module, register):
    """`archive`, `ship` and the `python -m` command of a wheel's module."""

    def archive(directory="."):
        """Packs this installed package (its native library and Python files) into
        `<directory>/<package>.zip`, for Spark to unpack on nodes that do not have the wheel.
        Returns `<path>#<package>`: the argument of `spark-submit --archives`, of
        `SparkContext.addArchive` and of Spark Connect's `addArtifacts(..., archive=True)`.
        The library is this machine's: the nodes must share its platform (CPU, glibc)."""
        return pack_archive(module, directory)

    def ship(spark):
        """Makes this wheel's sources readable in `spark`'s session where Spark's nodes lack
        the wheel: adds `archive()` to the session (Spark Connect: `addArtifacts`; classic:
        `SparkContext.addArchive`), then registers every source. Once per session."""
        connect = type(spark).__module__.startswith("pyspark.sql.connect")
        key = (spark.session_id if connect else spark.sparkContext.applicationId, module)
        if key not in SHIPPED:
            spec = archive(shipping_directory())
            if connect:
                spark.addArtifacts(spec, archive=True)
            else:
                spark.sparkContext.addArchive(spec)
            SHIPPED.add(key)
        register(spark)

    def command(args):
        return run_command(module, archive, args)

    for function in (archive, ship, command):
        function.__module__ = module
    return archive, ship, command


SHIPPED = set()
_shipping_directory = []


def shipping_directory():
    """A directory for the archives `ship` makes, removed when this process ends (Spark has
    copied them by then: Connect at upload, classic Spark ends with the process)."""
    if not _shipping_directory:
        directory = tempfile.mkdtemp(prefix="datasource-py-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        _shipping_directory.append(directory)
    return _shipping_directory[0]


def pack_archive(module, directory):
    package_dir = os.path.dirname(os.path.abspath(sys.modules[module].__file__))
    platform_check = importlib.import_module(module + "._platform")
    tags = platform_check.wheel_tags(package_dir, module)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(os.path.abspath(directory), module + ".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for root, dirs, files in os.walk(package_dir):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                full = os.path.join(root, name)
                out.write(full, os.path.relpath(full, package_dir))
        # The platform check on a node reads the wheel's tags from here.
        if tags and not os.path.exists(os.path.join(package_dir, "WHEEL")):
            out.writestr("WHEEL", "".join(f"Tag: {tag}\n" for tag in tags))
    return f"{path}#{module}"


COMMAND_USAGE = """usage:
  python -m {module}                      the sources and their options
  python -m {module} archive [DIRECTORY]  the zip to ship to Spark nodes without the wheel"""


def run_command(module, archive, args):
    package = sys.modules[module]
    if not args or args[0] in ("-h", "--help", "help"):
        print(package.__doc__.strip() + "\n")
        for name in package.__all__:
            source = getattr(package, name)
            if (
                isinstance(source, type)
                and issubclass(source, DataSource)
                and name != "DefaultSource"
            ):
                print(f"## {source.name()} ({module}.{name})\n\n{source.__doc__.strip()}\n")
        print(COMMAND_USAGE.format(module=module))
        return 0
    if args[0] == "archive" and len(args) <= 2:
        spec = archive(args[1] if len(args) == 2 else ".")
        print(spec)
        print(
            f"\nSpark unpacks it as the `{module}` package on every node:\n"
            f"  spark-submit --archives '{spec}' ...\n"
            f"  spark.sparkContext.addArchive('{spec}')  # a classic session\n"
            f"  spark.addArtifacts('{spec}', archive=True)  # Spark Connect\n"
            f"then `{module}.register(spark)`; the nodes must share this machine's platform.",
            file=sys.stderr,
        )
        return 0
    print(COMMAND_USAGE.format(module=module), file=sys.stderr)
    return 2
