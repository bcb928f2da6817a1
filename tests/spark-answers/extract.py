"""Writes datasource-core/src/json/spark_answers.json, the per-type answers of Spark's JSON
reader that the decoder's unit test compares with, from the results json_oracle.py wrote (both
versions must agree): `python tests/spark-answers/extract.py results-4.3.0.json results-4.0.5.json`."""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(paths):
    runs = [json.load(open(path)) for path in paths]
    for other in runs[1:]:
        for part in ("types", "types_vfirst"):
            if other[part] != runs[0][part]:
                sys.exit(f"{part}: Spark {other['spark_version']} answers otherwise than "
                         f"{runs[0]['spark_version']}")
    groups = []
    for group in runs[0]["types"] + runs[0]["types_vfirst"]:
        cases = []
        for case in group["cases"]:
            row = [case["line"]]
            for zone in ("UTC", "America/New_York"):
                answer = case[zone]
                if answer["corrupt"] and answer["corrupt_text"] != case["line"]:
                    sys.exit(f"{case['line']}: the corrupt record is not the line")
                row.append([answer["k"], answer["r"], answer["corrupt"]])
            cases.append(row)
        groups.append({"type": group["type"], "cases": cases})
    versions = " and ".join(run["spark_version"] for run in runs)
    text = json.dumps({
        "spark": versions,
        "columns": "line, [k, v as the oracle renders it, corrupt] in UTC, same in America/New_York",
        "types": groups,
    }, ensure_ascii=False, indent=0)
    with open(os.path.join(ROOT, "datasource-core/src/json/spark_answers.json"), "w") as out:
        out.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
