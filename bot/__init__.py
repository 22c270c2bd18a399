"""migration-review: reviews database migrations before they ship."""

import gc

__version__ = "0.1.0"

# A review is a short run that builds many small trees and keeps them to the end: collecting the young
# generation every 700 allocations costs about a fifth of a `lint` run, imports included, for nothing
# (bench/lint.py). Set before the rest of the package loads; `serve` and `worker` restore the default.
DEFAULT_GC = gc.get_threshold()
gc.set_threshold(50_000, 20, 100)
