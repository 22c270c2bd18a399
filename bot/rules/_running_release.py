"""The code a change removes or moves off a name, which the release still running during the deploy executes.

A pull request that removes a model field (or a table's model) and drops its column in the same deploy
leaves a window in which the old release, still serving, queries what the migration has already removed:
the rules that judge a drop or a rename name those places and make the finding a warning at least.
"""

from __future__ import annotations

from bot.references.search import Target
from bot.rules.context import Context


def removed_places(context: Context, target: Target) -> str:
    """The first places of production code this change deletes that used `target` (`path:line`, joined), or
    "" when it deletes none (tests and docs never run in production)."""
    removed = [u for u in context.references.removed_uses(target) if u.area not in ("test", "doc")]
    return ", ".join(f"`{u.path}:{u.line}`" for u in removed[:3])
