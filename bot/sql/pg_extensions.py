"""What PostgreSQL's common extensions bring that a schema's columns and defaults come to depend on.

`DROP EXTENSION citext` is refused while a column is of type `citext`, and `DROP EXTENSION citext CASCADE`
drops that column. Only the types and functions that tables use (a column's type, a default that calls it)
are listed: they are what a drop takes data with.
"""

from __future__ import annotations

# extension → the column types it defines
EXTENSION_TYPES: dict[str, frozenset[str]] = {
    "citext": frozenset({"citext"}),
    "hstore": frozenset({"hstore"}),
    "ltree": frozenset({"ltree", "lquery", "ltxtquery"}),
    "cube": frozenset({"cube"}),
    "isn": frozenset({"isbn", "isbn13", "issn", "issn13", "ismn", "ismn13", "ean13", "upc"}),
    "postgis": frozenset({"geometry", "geography", "box2d", "box3d"}),
    "vector": frozenset({"vector", "halfvec", "sparsevec"}),
    "seg": frozenset({"seg"}),
}

# extension → functions that column defaults call (gen_random_uuid is PostgreSQL's own from 13 on)
EXTENSION_FUNCTIONS: dict[str, frozenset[str]] = {
    "uuid-ossp": frozenset(
        {"uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v3", "uuid_generate_v4", "uuid_generate_v5"}
    ),
    "pgcrypto": frozenset({"crypt", "gen_salt", "digest", "hmac", "gen_random_bytes"}),
}

# a column type → the extension that defines it
TYPE_EXTENSION: dict[str, str] = {t: name for name, types in EXTENSION_TYPES.items() for t in types}
