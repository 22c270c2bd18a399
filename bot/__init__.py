"""migration-review: reviews database migrations before they reach production."""

__version__ = "0.1.0"
