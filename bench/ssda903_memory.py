"""Peak memory (RSS) and time of the SSDA903 export and import at national scale.

Each command runs in its own process under `/usr/bin/time -v`, which reports the process's
peak resident set size. Steps, on PostgreSQL:

1. `export_ssda903 --all` from SOURCE_DB (a database filled by
   `seed_demo --children 80000 --years 10`; `--seed` builds it first, about 4 minutes);
2. `import_ssda903` of those files into a fresh, migrated database (IMPORT_DB, dropped first);
3. `import_ssda903` of the same files again into that database (the re-import: every row held).

Usage:
    .venv/bin/python bench/ssda903_memory.py [--seed] [--children 80000]
        [--source-db iro_bench_source] [--import-db iro_bench_import] [--code-dir DIR]

`--code-dir` runs the commands from another checkout (e.g. `git archive` of an older commit)
with this virtualenv, to measure before and after a change the same way.
"""

import argparse
import os
import re
import subprocess  # nosec B404 - runs this project's own manage.py commands
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def _database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql, "postgres"], check=True)  # noqa: S603, S607 # nosec


def _manage(code_dir: Path, database: str, *args: str, measure: bool = True) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(database),
        "DJANGO_SETTINGS_MODULE": "iro_service.settings.local",
    }
    command = [PYTHON, "manage.py", *args]
    if measure:
        command = ["/usr/bin/time", "-v", *command]
    done = subprocess.run(command, cwd=code_dir, env=env, capture_output=True, text=True)  # noqa: S603 # nosec
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode})")
    result = {"output": done.stdout.strip()}
    if measure:
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", done.stderr)
        parts = [float(part) for part in wall.group(1).split(":")]
        result["seconds"] = sum(value * 60**power for power, value in enumerate(reversed(parts)))
        result["peak_mb"] = int(rss.group(1)) / 1024
    return result


def _report(label: str, result: dict) -> None:
    print(f"{label}: {result['seconds']:.1f} s, peak RSS {result['peak_mb']:,.0f} MB")
    for line in result["output"].splitlines()[-5:]:
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="build SOURCE_DB with seed_demo first")
    parser.add_argument("--children", type=int, default=80000)
    parser.add_argument("--source-db", default="iro_bench_source")
    parser.add_argument("--import-db", default="iro_bench_import")
    parser.add_argument("--code-dir", type=Path, default=ROOT)
    options = parser.parse_args()
    code_dir = options.code_dir.resolve()

    if options.seed:
        _psql(f"DROP DATABASE IF EXISTS {options.source_db}")
        _psql(f"CREATE DATABASE {options.source_db}")
        _manage(code_dir, options.source_db, "migrate", "--noinput", "-v", "0", measure=False)
        _report(
            f"seed_demo --children {options.children} --years 10",
            _manage(code_dir, options.source_db, "seed_demo", "--children", str(options.children), "--years", "10"),
        )
    with tempfile.TemporaryDirectory(prefix="ssda903-bench-") as folder:
        _report("export_ssda903 --all", _manage(code_dir, options.source_db, "export_ssda903", "--all", folder))
        for path in sorted(Path(folder).glob("*.csv")):
            with path.open("rb") as handle:
                rows = sum(1 for _ in handle) - 1
            print(f"    {path.name}: {path.stat().st_size / 1_000_000:,.1f} MB, {rows:,} rows")
        _psql(f"DROP DATABASE IF EXISTS {options.import_db}")
        _psql(f"CREATE DATABASE {options.import_db}")
        _manage(code_dir, options.import_db, "migrate", "--noinput", "-v", "0", measure=False)
        _report("import_ssda903 into an empty database", _manage(code_dir, options.import_db, "import_ssda903", folder))
        _report("import_ssda903 again (every row held)", _manage(code_dir, options.import_db, "import_ssda903", folder))


if __name__ == "__main__":
    main()
