"""The vocabulary every layer shares: the change set, migrations and their operations, findings and the
review, the schema catalog, the repository's configuration, and the facts observed in production.

Plain data and the few methods that keep it consistent. Imports nothing from the rest of `bot`.
"""
