"""The Supabase CLI's migrations: plain SQL files in `supabase/migrations/`, each applied in a transaction of its
own and only ever forward. `supabase db pull` writes what was changed in the linked database (its dashboard, by
hand) as `<timestamp>_remote_schema.sql` and records it as applied there. The project's settings and the runner
are read elsewhere (bot.frameworks.settings); this module only tells the CLI's files apart.
"""

from __future__ import annotations

import re

from bot.model.migration import Migration

_FILE = re.compile(r"(?:^|/)supabase/migrations/[^/]+\.sql$")
_PULLED = re.compile(r"(?:^|/)supabase/migrations/\d+_remote_schema\.sql$")


def migration_file(migration: Migration) -> bool:
    """A file of the folder the CLI applies, read as plain SQL."""
    return migration.framework == "sql" and _FILE.search(migration.path) is not None


def pulled(migration: Migration) -> bool:
    """A file `supabase db pull` wrote: the linked database has what it does already."""
    return migration.framework == "sql" and _PULLED.search(migration.path) is not None
