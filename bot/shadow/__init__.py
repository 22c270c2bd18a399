"""Run the change on a scratch database: up, down and up again, and report what the server did.

It sits beside `bot.production` (above the review, whose parse of the change it reuses) and is, with the
production probe, the only package that connects to a database. Unlike the probe it writes, so it only
ever writes into a database it created itself (`mr_shadow_<epoch>_<random>`) and drops at the end; a DSN
naming the probe's server is refused.

- `target`: the shadow DSN, checked against the probe's.
- `server`: the two drivers behind one small interface (create, drop, sweep, run a statement).
- `statements`: the SQL each migration runs, the migration's own or ours translated from its operations.
- `rows`: synthetic rows for the tables the change touches; `checksum`: their values per column.
- `schema`: the schema as the server describes it, and the difference of two such descriptions.
- `locks`: the table locks each statement held (PostgreSQL) and the algorithm the server chose (MariaDB).
- `run`: the whole run, with its limits; `findings`: what the run observed, as findings and checklist
  evidence on the review.
"""
