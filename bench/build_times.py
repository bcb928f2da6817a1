"""Measures the times the README states and writes them into it: `python bench/build_times.py
[loop] [demo] [test]` (`make build-times` runs `loop`).

- loop: `make new-source` with nothing compiled (a target directory of its own; crates already
  downloaded), then a one-line change and the crate's `make build` until the wheel is installed.
- demo: `make demo` in a fresh clone of this checkout's HEAD (its venvs made anew too).
- test: `make test` in a fresh clone (what CI runs).

Each measurement replaces its row of the table between the README's `build-times` markers, with
the date and the machine's cores, so a figure there is always one this script wrote.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- build-times:start -->", "<!-- build-times:end -->"
ROWS = {
    "cold": "`make new-source`, nothing compiled yet (its `cargo test` and `make build`)",
    "edit": "after a one-line change: `make build` until the wheel is installed",
    "demo": "`make demo` in a fresh clone (its venv, Java present, release wheels, the demo)",
    "test": "`make test` in a fresh clone (what CI runs)",
}


def run(command, cwd, env=None):
    """Runs a command, its output kept in target/build-times/ with each line's elapsed time (the
    phases of a run read from there); returns the seconds."""
    logs = ROOT / "target" / "build-times"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{'-'.join(part for part in command if not part.startswith(('-', 'DIR=')))}.log"
    start = time.perf_counter()
    output = []
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        for line in process.stdout:
            output.append(f"[{minutes(time.perf_counter() - start, clock=True)}] {line}")
    seconds = time.perf_counter() - start
    log.write_text("".join(output))
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd} (log: {log}):\n{''.join(output[-60:])}")
    return seconds


def measure_loop(scratch):
    crate = scratch / "timing_probe"
    env = dict(os.environ, CARGO_TARGET_DIR=str(scratch / "target"))
    cold = run(["make", "--no-print-directory", "new-source", "NAME=timing_probe", f"DIR={crate}"], ROOT, env)
    lib = crate / "src" / "lib.rs"
    text = lib.read_text()
    edited = text.replace('#[option(default = "hello")]', '#[option(default = "hello again")]')
    assert edited != text, "the starter's greeting default moved: update build_times.py"
    lib.write_text(edited)
    edit = run(["make", "--no-print-directory", "build"], crate, env)
    return {"cold": cold, "edit": edit}


def fresh_clone(scratch):
    clone = scratch / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    return clone


def minutes(seconds, clock=False):
    if clock:
        return f"{int(seconds) // 60:02d}:{int(seconds) % 60:02d}"
    return f"{seconds:.0f} s" if seconds < 120 else f"{int(seconds // 60)} min {seconds % 60:02.0f} s"


def write(figures):
    text = README.read_text()
    if START not in text or END not in text:
        sys.exit(f"README.md lacks the {START} ... {END} markers")
    head, rest = text.split(START, 1)
    table, tail = rest.split(END, 1)
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        key = next((k for k, label in ROWS.items() if cells and cells[0] == label), None)
        if key:
            rows[key] = line
    cores = os.cpu_count()
    for key, seconds in figures.items():
        rows[key] = f"| {ROWS[key]} | {minutes(seconds)} | {date.today().isoformat()}, {cores} cores |"
    lines = ["", "| what | took | measured |", "|---|---|---|"]
    lines += [rows[key] for key in ROWS if key in rows]
    README.write_text(head + START + "\n".join(lines) + "\n" + END + tail)


def main():
    wanted = sys.argv[1:] or ["loop"]
    unknown = set(wanted) - {"loop", "demo", "test"}
    if unknown:
        sys.exit(f"unknown measurement {sorted(unknown)}: choose from loop, demo, test")
    figures = {}
    scratch = Path(tempfile.mkdtemp(prefix="build-times-"))
    try:
        if "loop" in wanted:
            figures.update(measure_loop(scratch))
        for name in ("demo", "test"):
            if name in wanted:
                clone = fresh_clone(scratch / name)
                figures[name] = run(["make", name], clone)
                shutil.rmtree(clone, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for key, seconds in figures.items():
        print(f"{ROWS[key]}: {minutes(seconds)}")
    write(figures)


if __name__ == "__main__":
    main()
