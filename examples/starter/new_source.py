"""Creates a source crate from the starter: `python new_source.py <name> <directory> <sdk>`."""

import re
import sys
from pathlib import Path


def main(name, directory, sdk):
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        sys.exit(f"NAME must be a lowercase identifier such as `my_source`, not `{name}`")
    target = Path(directory).resolve()
    if target.exists() and any(target.iterdir()):
        sys.exit(f"{target} is not empty: choose a new directory")
    crate = name if name.startswith("pyspark_") else f"pyspark_{name}"
    format_name = crate.removeprefix("pyspark_")
    words = {
        "@NAME@": format_name,
        "@CRATE@": crate,
        "@CRATE_DASHED@": crate.replace("_", "-"),
        "@STRUCT@": "".join(part.capitalize() for part in format_name.split("_")),
        "@SDK@": str(Path(sdk).resolve()),
    }
    starter = Path(__file__).resolve().parent
    # Scripts the crate runs as they are (no placeholders).
    for script in sorted((starter / "tools").glob("*.py")):
        out = target / script.relative_to(starter)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(script.read_text())
    for template in sorted(starter.rglob("*.in")):
        text = template.read_text()
        for placeholder, value in words.items():
            text = text.replace(placeholder, value)
        out = target / template.relative_to(starter).with_suffix("")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    # The dependency versions the SDK is tested with (Cargo drops what the crate does not use).
    lock = Path(sdk) / "Cargo.lock"
    if lock.exists():
        (target / "Cargo.lock").write_text(lock.read_text())
    print(f"created {target} (format `{format_name}`, module `{crate}`)")


if __name__ == "__main__":
    main(*sys.argv[1:4])
