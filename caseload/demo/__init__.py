"""Demo and scale data shaped like the seed authority (Milton Keynes, 2013-14).

`build_demo(children=300, today=...)` creates IROs and the other roles, children looked
after today (plus about a fifth as many who have left care), periods of care, episodes with
placement changes, allocations, reviews held on the statutory clock (about 5% late) with
the seed's participation mix, decisions, monitoring forms and escalations. Every booked or held
review carries what the pages would have left: a venue, its booking history entry (booked by
business support), invitees, and for a held review the wishes and feelings form and the
reports received before it.

Deterministic: the same arguments give the same rows. Everything is written with bulk
inserts in batches, so `--children 80000` runs in minutes. The rows obey the model rules
(a test runs full_clean() over a generated set); bulk_create skips clean(), so the
generator must, and the rules it follows are the ones in reviews.timescales.

- `words`: the word lists and weights (data only);
- `generate`: the demo planned in memory as plain records from a seeded random stream (no database);
- `write`: `build_demo`, which writes those records in bulk in one transaction.
"""

from .words import DEMO_PASSWORD
from .write import DemoDataError, DemoSummary, build_demo, existing_demo_size

__all__ = ["DEMO_PASSWORD", "DemoDataError", "DemoSummary", "build_demo", "existing_demo_size"]
