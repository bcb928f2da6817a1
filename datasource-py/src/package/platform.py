"""Why the native library cannot load here: the platform its wheel was built for, beside this
machine's. Imported only when loading failed, so it needs nothing but the standard library."""

import glob
import os
import platform
import re
import sys

# Platform tags name CPUs as the compilers do; `platform.machine()` as the kernel does.
CPU_NAMES = {"amd64": "x86_64", "arm64": "aarch64", "i686": "x86", "i386": "x86", "win32": "x86"}
# The glibc of the legacy manylinux tags.
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def explain(error, package, native):
    """Raises an ImportError naming both platforms when `error` is the native library failing
    to load; returns when it is any other import error (the caller raises it unchanged)."""
    if error.name not in (f"{package}.{native}", native):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    tags = wheel_tags(here, package)
    machine = this_machine()
    lines = [f"{package} cannot load its native library on this machine ({machine['text']})."]
    if tags:
        lines.append(f"  The wheel was built for: {describe(tags[0])} (tag {', '.join(tags)}).")
        for mismatch in mismatches(tags[0], machine):
            lines.append(f"  Mismatch: {mismatch}.")
    else:
        lines.append("  Which platform it was built for is unknown: no WHEEL record came with it.")
    if not any(name.startswith(native + ".") for name in os.listdir(here)):
        lines.append(f"  The package holds no native library ({native}.*) at all: {here}")
    lines.append(f"  The loader said: {error}")
    lines.append(
        "  Install (or ship) a wheel built for this platform: for Spark, one built for the CPU "
        "and the oldest glibc of every node that runs Spark's Python."
    )
    raise ImportError("\n".join(lines), name=error.name, path=error.path) from None


def wheel_tags(here, package):
    """The wheel's tags: from the WHEEL record an archive carries in the package, or from the
    installed wheel's `.dist-info` that lists the package."""
    records = [os.path.join(here, "WHEEL")]
    for dist_info in glob.glob(os.path.join(os.path.dirname(here), "*.dist-info")):
        try:
            with open(os.path.join(dist_info, "RECORD"), encoding="utf-8") as record:
                if any(line.startswith(f"{package}/__init__.py,") for line in record):
                    records.append(os.path.join(dist_info, "WHEEL"))
        except OSError:
            continue
    for path in records:
        try:
            with open(path, encoding="utf-8") as wheel:
                tags = [line.split(":", 1)[1].strip() for line in wheel if line.startswith("Tag:")]
        except OSError:
            continue
        if tags:
            return tags
    return []


def this_machine():
    implementation = sys.implementation.name
    version = sys.version_info[:2]
    system = platform.system()
    cpu = cpu_name(platform.machine())
    libc, libc_version = platform.libc_ver()
    glibc = parse_version(libc_version) if libc == "glibc" else None
    parts = [f"{python_name(implementation)} {version[0]}.{version[1]}", f"{system} {cpu}"]
    if glibc:
        parts.append(f"glibc {libc_version}")
    return {
        "implementation": implementation,
        "version": version,
        "system": system,
        "cpu": cpu,
        "glibc": glibc,
        "text": ", ".join(parts),
    }


def cpu_name(name):
    name = name.lower()
    return CPU_NAMES.get(name, name)


def python_name(implementation):
    return {"cpython": "CPython", "pypy": "PyPy"}.get(implementation, implementation)


def parse_version(text):
    numbers = re.findall(r"\d+", text)
    return tuple(int(n) for n in numbers[:2]) if len(numbers) >= 2 else None


def parse_tag(tag):
    """(python version, abi3?, system, minimum libc, libc name, cpu) of a tag such as
    `cp39-abi3-manylinux_2_34_x86_64`."""
    python, abi, platform_tag = tag.split("-", 2)
    platform_tag = platform_tag.split(".")[0]
    digits = python[2:]
    version = (int(digits[0]), int(digits[1:])) if digits[:1].isdigit() and digits[1:] else None
    system, libc, libc_name, cpu = platform_tag, None, None, None
    match = re.fullmatch(r"(manylinux|musllinux)_(\d+)_(\d+)_(.+)", platform_tag)
    legacy = re.fullmatch(r"(manylinux1|manylinux2010|manylinux2014)_(.+)", platform_tag)
    if match:
        kind, major, minor, cpu = match.groups()
        system, libc = "Linux", (int(major), int(minor))
        libc_name = "glibc" if kind == "manylinux" else "musl"
    elif legacy:
        system, libc, libc_name, cpu = "Linux", LEGACY_MANYLINUX[legacy[1]], "glibc", legacy[2]
    elif platform_tag.startswith("linux_"):
        system, cpu = "Linux", platform_tag[len("linux_") :]
    elif platform_tag.startswith("macosx_"):
        system, cpu = "Darwin", platform_tag.split("_", 3)[-1]
    elif platform_tag.startswith("win"):
        system, cpu = "Windows", platform_tag.partition("_")[2] or "x86"
    return {
        "implementation": "cpython" if python.startswith("cp") else python,
        "version": version,
        "abi3": abi == "abi3",
        "system": system,
        "libc": libc,
        "libc_name": libc_name,
        "cpu": cpu_name(cpu) if cpu else None,
    }


def describe(tag):
    wheel = parse_tag(tag)
    parts = []
    if wheel["version"]:
        major, minor = wheel["version"]
        python = f"{python_name(wheel['implementation'])} {major}.{minor}"
        parts.append(python + (" or newer (abi3)" if wheel["abi3"] else ""))
    system = wheel["system"]
    if wheel["libc"]:
        system += f" with {wheel['libc_name']} {wheel['libc'][0]}.{wheel['libc'][1]} or newer"
    parts.append(system)
    if wheel["cpu"]:
        parts.append(wheel["cpu"])
    return ", ".join(parts)


def mismatches(tag, machine):
    wheel = parse_tag(tag)
    found = []
    if wheel["implementation"] != machine["implementation"]:
        found.append(
            f"a {python_name(wheel['implementation'])} library in "
            f"{python_name(machine['implementation'])}"
        )
    version = wheel["version"]
    if version and (
        machine["version"] < version if wheel["abi3"] else machine["version"] != version
    ):
        found.append(
            f"Python {machine['version'][0]}.{machine['version'][1]}, where the library needs "
            f"{version[0]}.{version[1]}" + (" or newer" if wheel["abi3"] else "")
        )
    if wheel["system"] != machine["system"]:
        found.append(f"a {wheel['system']} library on {machine['system']}")
    if wheel["cpu"] and wheel["cpu"] not in (machine["cpu"], "universal2"):
        found.append(f"an {wheel['cpu']} library on an {machine['cpu']} machine")
    if wheel["libc_name"] == "glibc" and machine["glibc"] and machine["glibc"] < wheel["libc"]:
        have, need = machine["glibc"], wheel["libc"]
        found.append(f"glibc {have[0]}.{have[1]} here, older than the {need[0]}.{need[1]} it needs")
    if wheel["libc_name"] == "glibc" and wheel["system"] == machine["system"] == "Linux":
        if machine["glibc"] is None:
            found.append("a glibc library on a Linux without glibc (musl?)")
    return found
