"""A column named as the key of a relation that lives in the other table: not a use of the changed table's column.

Laravel's `$this->hasMany(JointPermission::class, 'entity_id', 'loggable_id')` and Rails'
`has_many :comments, foreign_key: :author_id` name the foreign key of the *related* table (`joint_permissions`,
`comments`). When BookStack renamed `activities.entity_id`, the Activity model's `hasMany(…, 'entity_id', …)`
was listed as code still using it; it uses `joint_permissions.entity_id`, which the change leaves alone.
`belongs_to`/`belongsTo` name this model's own column and stay uses. A `belongsToMany`'s keys are its pivot
table's (koel's `Playlist::belongsToMany(PlaylistFolder::class, null, null, 'folder_id')` after
`playlists.folder_id` moved to `playlist_playlist_folder`).
"""

from __future__ import annotations

import re

from bot.references.inflection import pluralize, singularize, underscore

_PHP = r"->(?:hasMany|hasOne|morphMany|morphOne|hasManyThrough|hasOneThrough)\(\s*\\?(?:[\w\\]+\\)?(\w+)::class\s*,\s*['\"]{name}['\"]"
_RUBY = r"\bhas_(?:many|one)\s+:(\w+)\b[^\n]*?\bforeign_key:\s*[:'\"]{name}\b"
# `belongsToMany(Related::class, $table, $foreignPivotKey, $relatedPivotKey)`: both keys are the pivot table's
_PIVOT = (
    r"->belongsToMany\(\s*\\?(?:[\w\\]+\\)?(\w+)::class\s*,\s*(?:null|['\"](\w+)['\"])\s*,"
    r"(?:\s*(?:null|['\"]\w+['\"])\s*,)?\s*['\"]{name}['\"]"
)


def other_tables_key(text: str, name: str, table: str) -> str | None:
    """The related table whose key the line names as `name` (a has-many/has-one relation of another table),
    or None when the line is no such relation."""
    for pattern, to_table in ((_PHP, _class_table), (_RUBY, _association_table)):
        match = re.search(pattern.format(name=re.escape(name)), text)
        if match is None:
            continue
        related = to_table(match.group(1))
        if related != table.rpartition(".")[2].lower():
            return related
    pivot = re.search(_PIVOT.format(name=re.escape(name)), text)
    if pivot is not None:
        return pivot.group(2) or _joining_table(pivot.group(1), table)
    return None


def _joining_table(related: str, table: str) -> str:
    """Eloquent's default pivot table: the two models' names in snake case, sorted, joined by `_`
    (`PlaylistFolder` and `playlists`: `playlist_playlist_folder`)."""
    return "_".join(sorted((underscore(related).lower(), singularize(table.rpartition(".")[2].lower()))))


def _class_table(name: str) -> str:
    return pluralize(underscore(name)).lower()


def _association_table(name: str) -> str:
    return pluralize(name).lower()
