"""Checks that each wheel is what its file name claims: `python check_wheels.py [--oldest-glibc 2.17] WHEEL...`.

For every Linux wheel, `auditwheel show` (from PyPI) reads the native libraries inside: the
glibc symbol versions they need and the libraries they link. The wheel passes when auditwheel's
verdict (the most compatible tag those allow, with no library outside the manylinux policy) is
the very tag in its file name, so `pip` installs it exactly where it loads, and, with
`--oldest-glibc`, when that tag covers the given glibc (2.17: manylinux2014). Exits non-zero
naming each wheel that fails and why.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

# PEP 600 names of the legacy tags.
LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def platform_tags(wheel):
    """The platform tags of a wheel's file name (`name-version-python-abi-platform.whl`), each
    as (glibc, cpu): `manylinux2014_x86_64.manylinux_2_17_x86_64` is two names of one."""
    platform = Path(wheel).name.removesuffix(".whl").split("-")[-1]
    tags = set()
    for tag in platform.split("."):
        legacy = re.fullmatch(r"(manylinux1|manylinux2010|manylinux2014)_(.+)", tag)
        modern = re.fullmatch(r"manylinux_(\d+)_(\d+)_(.+)", tag)
        if legacy:
            tags.add((LEGACY[legacy[1]], legacy[2]))
        elif modern:
            tags.add(((int(modern[1]), int(modern[2])), modern[3]))
        else:
            tags.add((None, tag))
    return tags


def auditwheel_verdict(wheel):
    """(glibc, cpu) of the tag auditwheel says the wheel is consistent with, and its words."""
    shown = subprocess.run(["auditwheel", "show", str(wheel)], capture_output=True, text=True)
    words = " ".join((shown.stdout + shown.stderr).split())
    found = re.search(r'consistent with the following platform tag: "([^"]+)"', words)
    if shown.returncode != 0 or not found:
        return None, words
    tag = next(iter(platform_tags(f"x-0-py3-none-{found[1]}.whl")))
    return tag, words


def check(wheel, oldest_glibc):
    """The reasons a wheel fails (none when it passes)."""
    claimed = platform_tags(wheel)
    if any(glibc is None for glibc, _ in claimed):
        return [f"its platform tag is not a manylinux one: {sorted(cpu for _, cpu in claimed)}"]
    verdict, words = auditwheel_verdict(wheel)
    if verdict is None:
        return [f"auditwheel could not read it: {words}"]
    problems = []
    if verdict not in claimed:
        glibc, cpu = verdict
        problems.append(f"auditwheel says manylinux_{glibc[0]}_{glibc[1]}_{cpu}, not the tag its name claims: {words}")
    newest = max(glibc for glibc, _ in claimed)
    if oldest_glibc and newest > oldest_glibc:
        problems.append(f"it needs glibc {newest[0]}.{newest[1]}, newer than {oldest_glibc[0]}.{oldest_glibc[1]}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oldest-glibc", help="the oldest glibc the wheels must load on, such as 2.17")
    parser.add_argument("wheels", nargs="+")
    args = parser.parse_args()
    oldest = tuple(int(part) for part in args.oldest_glibc.split(".")) if args.oldest_glibc else None
    failed = False
    for wheel in args.wheels:
        problems = check(wheel, oldest)
        failed |= bool(problems)
        status = "; ".join(problems) if problems else "auditwheel agrees with its tag"
        print(f"{Path(wheel).name}: {status}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
