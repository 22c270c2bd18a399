"""The schema dump a framework's new installs load instead of running the migrations, kept beside them."""

from __future__ import annotations

from bot.model.changeset import Tree

# Rails' `db:prepare` / `db:setup` load `db/schema.rb` or `db/structure.sql`
_DUMPS = {"rails": ("db/schema.rb", "db/structure.sql")}


def schema_dump(path: str, framework: str, tree: Tree) -> str | None:
    """The dump beside the migrations folder of `path` (`db/migrate/…`) when the repository keeps one; None
    otherwise, or for a framework whose new installs run the migrations."""
    if "db/migrate/" not in path:
        return None
    root = path.split("db/migrate/")[0]
    return next((root + dump for dump in _DUMPS.get(framework, ()) if tree.read(root + dump)), None)
