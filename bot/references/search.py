"""Code-reference search: the places in the head tree that still use what a migration removes or renames.

`search` makes one pass over the tree for every identifier of a pull request (column names in their
snake, camel and Pascal spellings, table names, model classes, association names, index names), and
classifies each use by area (model, job, API contract, raw SQL, …) and confidence. Rules ask the
resulting `ReferenceIndex` for the uses of each target.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeGuard

from bot.model.changeset import MemoryTree, Tree
from bot.references import rails_prefixes
from bot.references.api_fields import kept_by_api
from bot.references.blast_radius import CRITICAL_AREAS
from bot.references.code_areas import AREAS, is_comment
from bot.references.code_match import Hit, Matcher, Needle, Packed, unpack
from bot.references.code_sql import Schema
from bot.references.column_aliases import aliases
from bot.references.django_fixtures import fixture_uses
from bot.references.doctrine_entities import mapped_properties
from bot.references.inflection import model_name, singularize, underscore
from bot.references.languages import family, foreign_model, front_end_camel
from bot.references.model_attributes import kept_attribute
from bot.references.model_columns import declared_owners
from bot.references.model_map import (
    Mapped,
    TableModels,
    conventional_models,
    mapped_elsewhere,
    table_models,
)
from bot.references.model_parents import code_parents
from bot.references.naming_settings import DEFAULT as DEFAULT_NAMING
from bot.references.naming_settings import WORDS as NAMING_WORDS
from bot.references.naming_settings import NamingSettings, merged
from bot.references.prisma_models import prisma_tables
from bot.references.relation_keys import other_tables_key
from bot.references.script_names import SCRIPT_FILES
from bot.references.script_types import computed_by_type
from bot.references.tree_scan import scan
from bot.references.usage import Target, Use, go_field, spellings

__all__ = ["ReferenceIndex", "Target", "Use", "search"]

_Key = tuple[str, str, str]
_NewKey = tuple[str, str, str, str]


def _key(target: Target) -> _Key:
    return (target.kind, target.table, target.name)


def _new_key(target: Target) -> _NewKey:
    """The uses of a new name belong to the pair (old, new): a column filled from `status` into both
    `state_id` and `status_code` has two new names, each written (or not) on its own."""
    return (target.kind, target.table, target.name, target.new_name or "")


@dataclass(frozen=True)
class ReferenceIndex:
    found: Mapping[_Key, tuple[Use, ...]] = field(default_factory=dict)
    renamed: Mapping[_NewKey, tuple[Use, ...]] = field(default_factory=dict)  # uses of the new name
    deleted: Mapping[_Key, tuple[Use, ...]] = field(default_factory=dict)  # uses the change itself removes
    definitions: Mapping[str, tuple[Mapped, ...]] = field(default_factory=dict)  # model classes by table
    files: int = 0  # files searched
    observations: tuple[str, ...] = ()

    def uses(self, target: Target) -> tuple[Use, ...]:
        """Places that still use the target's (old) name, most severe area first."""
        return self.found.get(_key(target), ())

    def new_uses(self, target: Target) -> tuple[Use, ...]:
        """Places that use the target's new name (renames and replacing columns)."""
        return self.renamed.get(_new_key(target), ())

    def removed_uses(self, target: Target) -> tuple[Use, ...]:
        """Places in the base version of the changed files that the change deletes (safe by construction)."""
        return self.deleted.get(_key(target), ())

    def flags(self) -> tuple[tuple[str, str, int], ...]:
        """(flag, path, line) of every use guarded by a feature flag, e.g. ("Flipper `new_state`", …):
        evidence for the rollback checklist that turning the flag off is a way back."""
        uses = [u for group in (*self.found.values(), *self.renamed.values()) for u in group]
        return tuple(sorted({(u.flag, u.path, u.line) for u in uses if u.flag and u.blocking}))

    def models(self, table: str) -> tuple[Mapped, ...]:
        """(table, class, path, line) of each model class found for `table` in the tree."""
        return self.definitions.get(table, ())

    def searched(self, target: Target) -> bool:
        return _key(target) in self.found

    def notes(self) -> tuple[str, ...]:
        return self.observations


def search(
    tree: Tree,
    targets: Sequence[Target],
    *,
    exclude: Sequence[str] = (),
    skip_paths: Collection[str] = (),
    before: Mapping[str, str] | None = None,
    workers: int | None = None,
    columns: Mapping[str, Collection[str]] | None = None,
    elsewhere: Collection[str] = (),
) -> ReferenceIndex:
    """Search `tree` once for every target.

    `exclude`: .gitignore-style patterns to skip; `skip_paths`: files never to search (the migrations);
    `before`: the base text of files the change deletes or modifies, to tell which uses it removes;
    `columns`: each column name (lower case) of the schema and the tables that have one of that name;
    `elsewhere`: the tables (lower case) of other databases of the repository, which the review does not
    read (ClickHouse beside PostgreSQL): a dropped table of the same name is not the one code names in
    strings and SQL, only through its model.
    """
    unique = tuple(dict.fromkeys(targets))
    columns = _with_declared(tree, unique, columns or {})
    contested = _contested(unique, columns)
    shared = _shared_with_other_databases(unique, elsewhere)
    schema = _schema(columns or {})
    tables = {t.table for t in unique if t.kind in ("column", "table", "enum-value")}
    conventional = conventional_models(tree, tables)
    # a model class the change deletes while code still names it (`Answer.where(…)` after `answer.rb` is
    # gone): that name still means the table's model, and the code fails on it
    gone = [m for m in conventional_models(MemoryTree(dict(before or {})), tables) if tree.read(m[2]) is None]
    conventional += [m for m in gone if m not in conventional]
    # model classes that map another table than their name says: Prisma's `@@map`, a Rails namespace's prefix
    prisma = {**prisma_tables(tree), **{m.model: m.table for m in rails_prefixes.prefixes(tree).namespaced}}
    parents = code_parents(tree, conventional)
    models = _table_models(tables, conventional, prisma=prisma, parents=parents)
    naming = DEFAULT_NAMING
    for _ in range(2):  # a second time when the ORM names every table its own way (a GORM table prefix)
        hits, mappings, files, settings = _run(
            tree,
            unique,
            models,
            _needles(unique, models),
            exclude,
            skip_paths,
            workers,
            contested,
            schema,
            naming,
            shared,
        )
        if not settings or merged(settings).tables() == naming.tables():
            break
        naming = merged(settings)
        models = _table_models(tables, conventional, naming, prisma, parents)
    naming = merged([naming, *settings])
    if mappings:
        parents = code_parents(tree, [*conventional, *mappings])
    found = _table_models(tables, [*conventional, *mappings], naming, prisma, parents)
    renamed = _alias_needles(tree, unique, [*conventional, *mappings])
    if renamed:  # attributes the models give a column under another name: one more pass for them
        more, _, _, _ = _run(
            tree, unique, found, renamed, exclude, skip_paths, workers, contested, schema, naming, shared
        )
        hits += more
    if found != models:
        rows = {t: found[t].names - models[t].names for t in tables}
        hits = [_recheck(hit, unique, found, rows) for hit in hits]
        extra = _model_needles(unique, {t: found[t].models - models[t].models for t in tables})
        if extra:
            more, _, _, _ = _run(
                tree, unique, found, extra, exclude, skip_paths, workers, contested, schema, naming, shared
            )
            hits += more
        models = found
    hits = _own_language(hits, unique, [*conventional, *mappings], naming.camel_api)
    hits = _unmapped_camel(hits, unique, [*conventional, *mappings], naming)
    hits = _snake_mapped(hits, unique, naming)
    hits = _associations_of_other_tables(tree, hits, unique)
    hits = _computed_in_script(tree, hits, unique, models)
    # A same-named column of another table is not a use: listed nowhere. Nor is a common word (`status`,
    # `title`) that nothing ties to the table: it is the same word in other code, not the column.
    common = _common(unique)
    hits = [h for h in hits if h.use.confidence == "high" or not _hidden(h, contested, common)]
    hits = [h for h in hits if not (h.target in common and _prose(h, unique[h.target]))]
    index = _index(unique, hits, files, [])
    ignored = _ignored_before(unique, before or {}) | _ignored_before(
        unique, _model_files(tree, [*conventional, *mappings])
    )
    index = replace(index, found=_ignored_by_model(index.found, ignored))
    index = replace(index, definitions=_definitions([*conventional, *mappings]))
    index = replace(index, found=_kept_by_model(tree, index))
    index = replace(index, found=_doctrine_mapped(tree, index))
    index = replace(index, found=_method_callers(tree, index))
    index = replace(index, found=_eloquent_getters(tree, index))
    index = replace(index, found=_taken_by_init(tree, index))
    index = replace(index, found=_kept_by_api(tree, index))
    index = replace(index, found=_schema_types(tree, index))
    index = replace(index, found=_unserved_by_backend(index, skip_paths, _api_clients(tree)))
    index = replace(index, found=_other_tables_keys(index.found))
    index = replace(index, found=_with_fixtures(tree, unique, index))
    if before:
        old = {p: t for p, t in before.items() if p not in skip_paths}
        # only the uses of old names count there (see `_deleted`)
        needles = {w: ns for w, n in _needles(unique, models).items() if (ns := _old_names(n))}
        # the mixins the models inherited before the change: code the change deletes with a mixin was theirs
        before_parents = code_parents(MemoryTree(old), [*conventional, *mappings])
        base_hits, _, _, _ = _run(
            MemoryTree(old),
            unique,
            {t: replace(m, parents=before_parents.get(t, frozenset())) for t, m in models.items()},
            needles,
            exclude,
            (),
            workers,
            contested,
            schema,
            naming,
            shared,
            common,
        )
        base_hits = [h for h in base_hits if h.use.confidence == "high" or not _hidden(h, contested, common)]
        base_hits = _snake_mapped(base_hits, unique, naming)
        index = replace(index, deleted=_deleted(unique, index, base_hits))
    return index


def _unmapped_camel(
    hits: list[Hit], targets: tuple[Target, ...], definitions: list[Mapped], naming: NamingSettings
) -> list[Hit]:
    """Without a snake case column's camelCase spelling in script code when nothing turns one into the other:
    no model of an ORM maps the table (Prisma's `@map`, TypeORM's and Drizzle's column names, Sequelize), no
    setting maps every field (`casing: "snake_case"`, SnakeNamingStrategy, knexSnakeCaseMappers, Kysely's
    CamelCasePlugin, `postgres.camel`) and no API turns the keys into camel case (PostGraphile and the like).
    A client that returns rows as the database names them (supabase-js, `pg`, Knex) gives `row.request_in_body`:
    `requestInBody` there is the code's own name (an OpenAPI conversion's field in chatbot-ui), not the
    column; a line that maps one to the other names the snake case column too, and stays."""
    if naming.snake_case_columns or naming.camel_api:
        return hits
    mapped = {table for table, _, _, _ in definitions}
    kept = []
    for hit in hits:
        target, use = targets[hit.target], hit.use
        spelled = _spelled(target, hit.role)
        if (
            target.kind == "column"
            and hit.role in ("name", "new")
            and use.area != "raw-sql"
            and "_" in spelled.strip("_")
            and target.table not in mapped
            and family(use.path) == "script"
            and not use.path.endswith(".prisma")
            and spelled.lower() not in use.text.lower()
        ):
            continue
        kept.append(hit)
    return kept


def _snake_mapped(hits: list[Hit], targets: tuple[Target, ...], naming: NamingSettings) -> list[Hit]:
    """Without the uses of a camelCase column's old name in the script code of a project whose ORM maps each
    camelCase field to a snake case column, when the change renames the column to that snake case name
    (homarr's `userId` to `user_id` under Drizzle's `casing: "snake_case"`): the code's `account.userId` names
    the new column."""
    if not naming.snake_case_columns:
        return hits
    kept = []
    for hit in hits:
        target = targets[hit.target]
        if (
            target.kind == "column"
            and hit.role == "name"
            and target.new_name
            and target.name != target.new_name
            and underscore(target.name) == target.new_name.lower()
            and family(hit.use.path) == "script"
            and not hit.use.path.endswith(".prisma")  # Prisma maps a field by its own `@map` only
        ):
            continue
        kept.append(hit)
    return kept


def _associations_of_other_tables(tree: Tree, hits: list[Hit], targets: tuple[Target, ...]) -> list[Hit]:
    """An association named after a dropped table's conventional model (`belongs_to :user` for `users`)
    belongs to that class, which is not the table's model when it declares another table (`class User`
    with `self.table_name = 'rusers'`)."""
    tables = {t.table for t in targets if t.kind == "table"}
    elsewhere = {t for t in tables if mapped_elsewhere(tree, t)}
    if not elsewhere:
        return hits
    return [
        h
        for h in hits
        if not (
            targets[h.target].kind == "table"
            and targets[h.target].table in elsewhere
            and (h.role in ("singular", "association") or h.use.area == "association")
        )
    ]


def _own_language(
    hits: list[Hit], targets: tuple[Target, ...], definitions: list[Mapped], camel_api: bool
) -> list[Hit]:
    """Uses in the model's own language: a class name in code of another language is that code's own
    type, and a camelCase name in the front end of a snake case API is not the column (see `languages`)."""
    paths: dict[str, set[str]] = defaultdict(set)
    for table, _, path, _ in definitions:
        paths[table].add(path)
    kept = []
    for hit in hits:
        target, use = targets[hit.target], hit.use
        defined = paths.get(target.table, set())
        if hit.role == "model" and use.area != "raw-sql" and foreign_model(use.path, defined):
            continue
        if (
            target.kind == "column"
            and hit.role in ("name", "new")
            and use.area != "raw-sql"
            and front_end_camel(use.path, use.text, _spelled(target, hit.role), defined, camel_api)
        ):
            continue
        if (
            target.kind == "column"
            and hit.role in ("name", "new")
            and use.area != "raw-sql"
            and _one_word(_spelled(target, hit.role))
            and foreign_model(use.path, defined)
            and _quoted(use.text, _spelled(target, hit.role))
        ):
            continue  # `{ text: "Type", value: "type" }` in the front end of a Python model: a word, not the column
        kept.append(hit)
    return kept


def _computed_in_script(
    tree: Tree, hits: list[Hit], targets: tuple[Target, ...], models: Mapping[str, TableModels]
) -> list[Hit]:
    """A column the TypeScript code adds to the model's rows itself (`Account & { balance: number }`, see
    `script_types`): its name in script code is that computed field, not the column, except in SQL and
    in a query on the model on the same line."""
    paths: dict[int, set[str]] = defaultdict(set)
    for hit in hits:
        if targets[hit.target].kind == "column" and hit.use.path.endswith(SCRIPT_FILES):
            paths[hit.target].add(hit.use.path)
    computed = set()
    for i, found in paths.items():
        target = targets[i]
        if computed_by_type(tree, found, models[target.table].models, spellings(target.name)):
            computed.add(i)
    if not computed:
        return hits
    return [
        hit
        for hit in hits
        if hit.target not in computed
        or hit.role not in ("name", "attribute")
        or not hit.use.path.endswith(SCRIPT_FILES)
        or hit.use.area == "raw-sql"
        or _queried_on_line(hit.use.text, models[targets[hit.target].table])
    ]


def _queried_on_line(text: str, models: TableModels) -> bool:
    """Is there a query on the model on the line (`prisma.account.update(`, `accountRepository.save(`)?"""
    names = "|".join(re.escape(n) for n in sorted(models.names) if n)
    return bool(names) and re.search(rf"\.\s*(?:{names})\s*\.\s*[a-z]\w*\s*\(", text) is not None


def _one_word(name: str) -> bool:
    return name.isalpha() and name[1:].islower()


def _quoted(text: str, name: str) -> bool:
    """Is `name` written only as a quoted string on the line (never as a member or a key of code)?"""
    word = re.escape(name)
    return re.search(rf"[\"'`]{word}[\"'`]", text) is not None and re.search(rf"\.{word}\b", text) is None


def _prose(hit: Hit, target: Target) -> bool:
    """A one-word column (`body`, `subject`) in a sentence of the docs ("the request body"), not written
    as code there (`` `body` ``, `<code>body</code>`, `Ping.body`, `body=`)."""
    if hit.use.area != "doc" or target.kind != "column" or hit.role not in ("name", "new"):
        return False
    word = re.escape(_spelled(target, hit.role))
    as_code = rf"`[^`]*\b{word}\b[^`]*`|<code>[^<]*\b{word}\b|[\w\]\)]\.{word}\b|\b{word}(?:\s*=|[:(\[])|[\"']{word}[\"']"
    return re.search(as_code, hit.use.text) is None


def _spelled(target: Target, role: str) -> str:
    return (target.new_name or "") if role == "new" else target.name


def _ignored_before(targets: Sequence[Target], before: Mapping[str, str]) -> set[_Key]:
    """Columns a Rails model lists in `ignored_columns` (the release running during the deploy ignores
    them): of the base commit, while the change removes that declaration along with the column, or of
    the head. The list is written out (`%i[a b]`, `["a"]`) or a constant of the file holding it
    (`self.ignored_columns += API_SCOPES` under `API_SCOPES = %i[show_dashboard …]`)."""
    found = set()
    for target in targets:
        if target.kind != "column":
            continue
        word = re.compile(rf"(?<![\w]){re.escape(target.name)}(?![\w])")
        for path, text in before.items():
            if not path.endswith(".rb") or "ignored_columns" not in text:
                continue
            if any(word.search(listed) for listed in _ignored_lists(text)):
                found.add(_key(target))
    return found


_IGNORED = re.compile(r"ignored_columns\s*\+?=\s*(?:(%[wi][\[(]|\[)|([A-Z]\w*)\b)")


def _ignored_lists(text: str) -> list[str]:
    """The text of each list a Rails model gives `ignored_columns`, a constant of the file read through."""
    lists = []
    for match in _IGNORED.finditer(text):
        opened, start = match.group(1), match.end()
        if match.group(2):
            constant = re.search(rf"^[ \t]*{match.group(2)}\s*=\s*(%[wi][\[(]|\[)", text, re.M)
            if constant is None:
                continue
            opened, start = constant.group(1), constant.end()
        close = {"[": "]", "(": ")"}[opened[-1]]
        lists.append(text[start : text.find(close, start)])
    return lists


def _model_files(tree: Tree, models: Sequence[Mapped]) -> dict[str, str]:
    """The text of each Ruby file of the head that defines a model of a changed table."""
    return {path: tree.read(path) or "" for path in sorted({m[2] for m in models if m[2].endswith(".rb")})}


def _ignored_by_model(
    found: Mapping[_Key, tuple[Use, ...]], ignored_before: Collection[_Key] = ()
) -> dict[_Key, tuple[Use, ...]]:
    """A Rails model that lists the column in `ignored_columns` (in the head, or in the base when the
    change removes the declaration with the column) no longer reads or writes it: the other places naming
    it (a method, a request parameter) are not the column. Raw SQL still reads the table."""
    out = {}
    for key, uses in found.items():
        if key[0] == "column" and (key in ignored_before or any(u.safe == "ignored_columns" for u in uses)):
            uses = tuple(
                u if u.safe or u.area == "raw-sql" else replace(u, safe="ignored_columns") for u in uses
            )
        out[key] = uses
    return out


def _kept_by_model(tree: Tree, index: ReferenceIndex) -> dict[_Key, tuple[Use, ...]]:
    """Places that read a model's property of the same name as the dropped column are not uses of it."""
    out = dict(index.found)
    for key, uses in index.found.items():
        kind, table, name = key
        if kind != "column" or not uses or not index.models(table):
            continue
        kept = kept_attribute(tree, index.models(table), name)
        if kept and _method_with_arguments(tree, index.models(table), name) is None:
            safe = f"the model's own `{name}` (`{kept}`)"
            out[key] = tuple(u if u.safe or u.area == "raw-sql" else replace(u, safe=safe) for u in uses)
    return out


def _doctrine_mapped(tree: Tree, index: ReferenceIndex) -> dict[_Key, tuple[Use, ...]]:
    """The properties the table's Doctrine entities still map to a dropped column (`#[ORM\\Column] private
    string $state;`): each load of the entity fails once the column is gone."""
    out = dict(index.found)
    for key, uses in index.found.items():
        kind, table, name = key
        if kind != "column":
            continue
        listed = {(u.path, u.line) for u in uses}
        more = [
            Use(path, line, (tree.read(path) or "").splitlines()[line - 1].strip(), "model", "high")
            for path in sorted({m[2] for m in index.models(table) if m[2].endswith((".php", ".orm.xml"))})
            for line, _ in mapped_properties(tree.read(path) or "", name)
            if (path, line) not in listed
        ]
        if more:
            out[key] = _sorted([*uses, *more])
    return out


def _taken_by_init(tree: Tree, index: ReferenceIndex) -> dict[_Key, tuple[Use, ...]]:
    """A Python model whose `__init__`, or whose manager's `create`, takes the dropped column's name out of
    its keyword arguments (`permission_type = kwargs.pop("permission_type", None)`, kept so that old callers
    go on working) makes the places that pass it as a keyword (`….objects.create(permission_type="add")`)
    safe."""
    out = dict(index.found)
    for key, uses in index.found.items():
        kind, table, name = key
        if kind != "column" or not uses or not index.models(table):
            continue
        taken = _init_takes(tree, index.models(table), name)
        if taken is None:
            continue
        keyword = re.compile(rf"(?<![\w.]){re.escape(name)}\s*=(?!=)")
        safe = f"the model takes `{name}=` and drops it (`{taken}`)"
        out[key] = tuple(
            replace(u, safe=safe) if not u.safe and u.path.endswith(".py") and keyword.search(u.text) else u
            for u in uses
        )
    return out


_TAKES_KEYWORDS = re.compile(r"\bdef\s+(?:__init__|create|get_or_create|update_or_create)\s*\(")


def _init_takes(tree: Tree, definitions: Iterable[Mapped], name: str) -> str | None:
    """`path:line` where a Python model file's `__init__`, or its manager's `create`, pops or gets `name`
    from its keyword arguments."""
    pattern = re.compile(rf"\bkwargs\.(?:pop|get)\(\s*[\"']{re.escape(name)}[\"']")
    for _, _, path, _ in definitions:
        if not path.endswith(".py"):
            continue
        text = tree.read(path) or ""
        found = pattern.search(text)
        if found is not None and _TAKES_KEYWORDS.search(text[max(0, found.start() - 600) : found.start()]):
            return f"{path}:{text.count(chr(10), 0, found.start()) + 1}"
    return None


def _method_callers(tree: Tree, index: ReferenceIndex) -> dict[_Key, tuple[Use, ...]]:
    """A model method named like the dropped column that takes arguments (`def nearby(radius =
    Settings.nearby_radius, num = …)`) is another thing than the column: its declaration and the calls of it
    (`current_user.nearby`, `@user.nearby - friends`) are not places."""
    out = dict(index.found)
    for key, uses in index.found.items():
        kind, table, name = key
        if kind != "column" or not uses or not index.models(table):
            continue
        method = _method_with_arguments(tree, index.models(table), name)
        if method is None:
            continue
        called = re.compile(rf"(?:\.|\bdef\s+(?:self\.)?){re.escape(name)}\b(?!\s*[:=]>?)")
        out[key] = tuple(u for u in uses if u.area == "raw-sql" or not called.search(u.text))
    return out


_ELOQUENT = re.compile(
    r"\bIlluminate\\Database\\Eloquent\\|^(?:final\s+)?class\s+\w+\s+extends\s+(?:Model|Authenticatable|Pivot)\b",
    re.M,
)


def _eloquent_getters(tree: Tree, index: ReferenceIndex) -> dict[_Key, tuple[Use, ...]]:
    """Eloquent reads a column as `$row->folder_id`, never through a getter: `getFolderId(…)` in the PHP code of
    a project whose model of the table is an Eloquent model is a method the code wrote (koel's
    `Playlist::getFolderId($user)`, which looks the folder up in a pivot table), not the column's accessor as
    in Doctrine. A line that also names the column itself stays a use."""
    out = dict(index.found)
    for key, uses in index.found.items():
        kind, table, name = key
        php = [m for m in index.models(table) if m[2].endswith(".php")]
        if kind != "column" or not php or not any(_ELOQUENT.search(tree.read(m[2]) or "") for m in php):
            continue
        studly = "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)
        getter = re.compile(rf"\b(?:get|set){re.escape(studly)}\b")
        plain = re.compile(rf"\b{re.escape(name)}\b")
        out[key] = tuple(
            u
            for u in uses
            if not (u.path.endswith(".php") and getter.search(u.text) and not plain.search(u.text))
        )
    return out


def _method_with_arguments(tree: Tree, definitions: Iterable[Mapped], name: str) -> str | None:
    """`path:line` of `def name(…)` with parameters (other than `self`) in a Ruby or Python model file."""
    pattern = re.compile(
        rf"^[ \t]*def[ \t]+(?:self\.)?{re.escape(name)}[ \t]*\((?![ \t]*(?:self|cls)?[ \t]*\))", re.M
    )
    for _, _, path, _ in definitions:
        if not path.endswith((".rb", ".py")):
            continue
        text = tree.read(path) or ""
        found = pattern.search(text)
        if found is not None:
            return f"{path}:{text.count(chr(10), 0, found.start()) + 1}"
    return None


def _with_fixtures(
    tree: Tree, targets: tuple[Target, ...], index: ReferenceIndex
) -> dict[_Key, tuple[Use, ...]]:
    """Django fixtures whose entries name a dropped or renamed field or model (see `django_fixtures`)."""
    out = dict(index.found)
    for at, uses in fixture_uses(tree, targets, dict(index.definitions)).items():
        key = _key(targets[at])
        lines = {(u.path, u.line) for u in uses}
        out[key] = _sorted([*(u for u in out.get(key, ()) if (u.path, u.line) not in lines), *uses])
    return out


def _kept_by_api(tree: Tree, index: ReferenceIndex) -> dict[_Key, tuple[Use, ...]]:
    """A serializer of the model that computes a field of the dropped column's name keeps the API's field:
    the front end, fixtures and the serializer's own lines that name it are not uses of the column."""
    out = dict(index.found)
    for key, uses in index.found.items():
        kind, table, name = key
        if kind != "column" or not any(u.blocking for u in uses) or not index.models(table):
            continue
        models = {definition[1] for definition in index.models(table)}
        kept = kept_by_api(tree, {u.path for u in uses}, models, name)
        if not kept:
            continue
        where = {place.rsplit(":", 1)[0]: place for place in kept}
        backend = tuple(
            {path[path.rfind(".") :] for path in where}
        )  # `.py`, `.php`: the serializers' language
        out[key] = tuple(
            replace(u, safe=f"the API's computed field `{name}` (`{where.get(u.path, kept[0])}`)")
            if not u.safe and (u.path in where or not u.path.endswith(backend))
            else u
            for u in uses
        )
    return out


# A file of types generated from the database's own schema: Supabase's `supabase gen types` (each table's `Row`,
# `Insert` and `Update` under `Tables`). It describes the schema; nothing in it queries, and it is regenerated from
# the database after the change.
_SCHEMA_TYPES = re.compile(
    r"\bTables\s*:\s*\{.*?\bRow\s*:\s*\{.*?\bInsert\s*:\s*\{.*?\bUpdate\s*:\s*\{", re.S
)


def _schema_types(tree: Tree, index: ReferenceIndex) -> dict[_Key, tuple[Use, ...]]:
    """A column's places in a script file of types generated from the schema (midday's `packages/supabase/src/
    types/db.ts` still listed `embedding_score` after the column's drop: three "production" places, critical): no
    query fails there; the types are regenerated from the database once the change has run."""
    out = dict(index.found)
    verdicts: dict[str, bool] = {}
    for key, uses in index.found.items():
        if key[0] != "column" or not any(u.blocking for u in uses):
            continue
        changed = False
        kept = []
        for use in uses:
            if not use.safe and family(use.path) == "script":
                if use.path not in verdicts:
                    text = tree.read(use.path) or ""
                    verdicts[use.path] = "Insert" in text and _SCHEMA_TYPES.search(text[:400_000]) is not None
                if verdicts[use.path]:
                    use = replace(
                        use, safe="types generated from the schema: regenerate them after the change"
                    )
                    changed = True
            kept.append(use)
        if changed:
            out[key] = tuple(kept)
    return out


_SNAKE_BACKENDS = frozenset(("python", "ruby"))


def _api_clients(tree: Tree) -> tuple[str, ...]:
    """The folders of Python packages the repository ships beside its application that install no Django:
    clients of its API (AWX's `awxkit/`, with its own `setup.py`), whose field names are the API's, as a front
    end's are."""
    found = []
    for path in tree.paths():
        folder, _, name = path.rpartition("/")
        if not folder or name not in ("setup.py", "pyproject.toml") or folder.count("/") > 1:
            continue
        texts = [
            tree.read(f"{folder}/{other}") or ""
            for other in ("setup.py", "pyproject.toml", "requirements.txt")
        ]
        if not any(re.search(r"(?i)\bdjango\b", text) for text in texts):
            found.append(f"{folder}/")
    return tuple(found)


def _unserved_by_backend(
    index: ReferenceIndex, migrations: Collection[str] = (), clients: tuple[str, ...] = ()
) -> dict[_Key, tuple[Use, ...]]:
    """Front-end code reaches a Python or Ruby model's column only through the backend's API. When no
    code of the backend's language still reads or writes the column (the model and its serializers no
    longer name it, or only through a computed field), the front end's `view.show_on_dashboard` is a field
    of its own objects (paperless-ngx kept it, computed from the user's settings, after dropping it):
    a low place, listed, that never blocks. The backend's language is the one its models are written in
    or, when no model of the table is found (a `__tablename__` a base class computes), the one of the
    migrations under review (Alembic's, Django's, Rails')."""
    out: dict[_Key, tuple[Use, ...]] = {}
    written = {family(p) for p in migrations} - {""}
    for key, uses in index.found.items():
        kind, table, _ = key
        backend = {family(m[2]) for m in index.definitions.get(table, ())} - {""} or written
        if kind != "column" or not backend or not backend <= _SNAKE_BACKENDS:
            out[key] = uses
            continue
        served = any(
            u.blocking
            and family(u.path) in backend
            and u.area not in ("test", "doc")
            and not u.path.startswith(clients)
            for u in uses
        )
        out[key] = (
            uses
            if served
            else _sorted(
                replace(u, confidence="low")
                if u.confidence == "high" and (family(u.path) == "script" or u.path.startswith(clients))
                else u
                for u in uses
            )
        )
    return out


def _other_tables_keys(found: Mapping[_Key, tuple[Use, ...]]) -> dict[_Key, tuple[Use, ...]]:
    """A has-many relation naming the column as the related table's key uses that table's column."""
    out = {}
    for key, uses in found.items():
        kind, table, name = key
        if kind == "column":
            uses = tuple(
                replace(u, safe=f"the key of `{other}`, not of `{table}`")
                if not u.safe and (other := other_tables_key(u.text, name, table)) is not None
                else u
                for u in uses
            )
        out[key] = uses
    return out


def _schema(columns: Mapping[str, Collection[str]]) -> Schema:
    """The schema as SQL in code strings is resolved against: bare lower-case names."""
    owners = {
        column.lower(): frozenset(t.lower().rpartition(".")[2] for t in tables)
        for column, tables in columns.items()
    }
    return Schema(owners, frozenset(t for tables in owners.values() for t in tables))


def _hidden(hit: Hit, contested: frozenset[int], common: frozenset[int]) -> bool:
    """A low-confidence use left out: a name another table shares, or a one-word name itself (a model
    class named after a one-word table is still listed)."""
    if hit.role == "attribute":
        return True
    return hit.target in contested or (hit.target in common and hit.role in ("name", "new", "table"))


def _common(targets: tuple[Target, ...]) -> frozenset[int]:
    """Columns and tables named by one word (`status`, `position`, `tag`, Prisma's `Template`)."""
    return frozenset(
        i
        for i, t in enumerate(targets)
        if t.kind in ("column", "table") and t.name.isalpha() and t.name[1:].islower()
    )


def _with_declared(
    tree: Tree, targets: tuple[Target, ...], columns: Mapping[str, Collection[str]]
) -> Mapping[str, Collection[str]]:
    """The column owners of the schema, with the columns the SQLAlchemy models declare for tables the
    history does not create (see `model_columns`)."""
    names = {t.name.lower() for t in targets if t.kind == "column"}
    declared = declared_owners(tree, names, {model_name(t.table) for t in targets})
    if not declared:
        return columns
    merged = {name: set(tables) for name, tables in columns.items()}
    for name, tables in declared.items():
        merged.setdefault(name, set()).update(tables)
    return merged


def _contested(targets: tuple[Target, ...], columns: Mapping[str, Collection[str]]) -> frozenset[int]:
    """The column targets whose name another table of the schema also has (`documentId`, `title`): their
    uses count only where the code ties them to the target's table."""
    found = set()
    for i, target in enumerate(targets):
        if target.kind != "column":
            continue
        owners = {t.lower().rpartition(".")[2] for t in columns.get(target.name.lower(), ())}
        if owners - {target.table.lower().rpartition(".")[2]}:
            found.add(i)
    return frozenset(found)


def _shared_with_other_databases(targets: tuple[Target, ...], elsewhere: Collection[str]) -> frozenset[int]:
    """The table targets whose name a table of another database of the repository also has."""
    names = {name.lower().rpartition(".")[2] for name in elsewhere}
    return frozenset(
        i for i, t in enumerate(targets) if t.kind == "table" and t.table.lower().rpartition(".")[2] in names
    )


def _old_names(needles: tuple[Needle, ...]) -> tuple[Needle, ...]:
    return tuple(n for n in needles if n.role != "new")


def _deleted(
    targets: tuple[Target, ...], index: ReferenceIndex, base_hits: list[Hit]
) -> dict[_Key, tuple[Use, ...]]:
    found: dict[_Key, list[Use]] = defaultdict(list)
    kept: dict[int, set[tuple[str, str]]] = {}  # per target, built once: a review can have 20,000+ hits
    listed: set[tuple[_Key, str, int]] = set()
    for hit in base_hits:
        if hit.target not in kept:
            kept[hit.target] = {(u.path, u.text) for u in index.uses(targets[hit.target])}
        key = _key(targets[hit.target])
        place = (key, hit.use.path, hit.use.line)
        if hit.role != "new" and (hit.use.path, hit.use.text) not in kept[hit.target] and place not in listed:
            # once: a line can hold several spellings of the name, and several targets can be one name (a
            # column renamed and searched again as a column of a unique key the change drops)
            listed.add(place)
            found[key].append(hit.use)
    return {k: _sorted(v) for k, v in found.items()}


def _needles(targets: Sequence[Target], models: Mapping[str, TableModels]) -> dict[str, tuple[Needle, ...]]:
    found: dict[str, list[Needle]] = defaultdict(list)
    for i, target in enumerate(targets):
        if target.kind == "column":
            for word in dict.fromkeys((*spellings(target.name), target.spelling, go_field(target.name))):
                found[word].append(Needle(word, i, "name"))
            new = target.new_name or ""
            for word in dict.fromkeys((*spellings(new), target.new_spelling, go_field(new))):
                found[word].append(Needle(word, i, "new"))
            if (
                target.name.endswith("_id") and len(target.name) > 3
            ):  # belongs_to :customer, customer = ForeignKey(…)
                for word in spellings(target.name[:-3]):
                    found[word].append(Needle(word, i, "association"))
        elif target.kind == "table":
            for word in dict.fromkeys((target.table, target.spelling)):
                found[word].append(Needle(word, i, "table"))
            for word in sorted(models[target.table].models):
                found[word].append(Needle(word, i, "model"))
            single = singularize(target.table)
            found[single].append(Needle(single, i, "singular"))
            for word in sorted(
                models[target.table].models
            ):  # Prisma's client: `prisma.documentMeta.findMany(`
                if word[:1].isupper() and word[1:2].islower():
                    delegate = word[0].lower() + word[1:]
                    found[delegate].append(Needle(delegate, i, "delegate"))
        elif target.name:
            found[target.name].append(Needle(target.name, i, "name"))
    return {word: tuple(ns) for word, ns in found.items() if word}


def _alias_needles(
    tree: Tree, targets: Sequence[Target], definitions: list[Mapped]
) -> dict[str, tuple[Needle, ...]]:
    """Needles for the attributes model classes give a target column under another name
    (`status String @map("legacy_status")`): a use of one counts only where the code ties it to the model."""
    paths: dict[str, set[str]] = defaultdict(set)
    classes: dict[str, set[str]] = defaultdict(set)
    for table, model, path, _ in definitions:
        paths[table].add(path)
        classes[table].add(model)
    found: dict[str, list[Needle]] = defaultdict(list)
    for i, target in enumerate(targets):
        if target.kind != "column":
            continue
        taken = set(spellings(target.name))
        for path in sorted(paths.get(target.table, ())):
            for attribute, _ in aliases(tree.read(path) or "", target.name, classes[target.table]):
                # a Doctrine entity's property is read through its accessors (`getCode()` for `$code`)
                studly = attribute[:1].upper() + attribute[1:]
                accessors = (
                    [f"{verb}{studly}" for verb in ("get", "set", "is")]
                    if path.endswith((".php", ".orm.xml"))
                    else []
                )
                for word in (attribute, *accessors):
                    if word not in taken:
                        taken.add(word)
                        found[word].append(Needle(word, i, "attribute"))
    return {word: tuple(ns) for word, ns in found.items()}


def _model_needles(
    targets: Sequence[Target], discovered: Mapping[str, Collection[str]]
) -> dict[str, tuple[Needle, ...]]:
    found: dict[str, list[Needle]] = defaultdict(list)
    for i, target in enumerate(targets):
        for model in sorted(discovered.get(target.table, ())) if target.kind == "table" else ():
            found[model].append(Needle(model, i, "model"))
    return {word: tuple(ns) for word, ns in found.items()}


def _run(
    tree: Tree,
    targets: tuple[Target, ...],
    models: Mapping[str, TableModels],
    needles: Mapping[str, tuple[Needle, ...]],
    exclude: Sequence[str],
    skip_paths: Collection[str],
    workers: int | None,
    contested: frozenset[int] = frozenset(),
    schema: Schema | None = None,
    naming: NamingSettings = DEFAULT_NAMING,
    shared: frozenset[int] = frozenset(),
    removed_only: frozenset[int] | None = None,
) -> tuple[list[Hit], list[Mapped], int, list[NamingSettings]]:
    """`removed_only`: for the pass over the base texts of the changed files, the targets of one-word names
    (see `Matcher.removed_only`)."""
    matcher = Matcher(
        targets, needles, models, contested, schema or Schema({}, frozenset()), naming, shared, removed_only
    )
    words = {
        *needles,
        *models,
        *NAMING_WORDS,
    }  # table names too: a file declaring a model for one is read for it
    result = scan(
        tree,
        words,
        matcher.handle,
        exclude=exclude,
        skip_paths=skip_paths,
        hints=matcher.hint_words,
        workers=workers,
    )
    hits = [unpack(r) for r in result.results if _is_packed(r)]
    mappings = [r for r in result.results if _is_mapped(r)]
    settings = [r for r in result.results if isinstance(r, NamingSettings)]
    return hits, mappings, result.files, settings


def _is_packed(record: Packed | Mapped | NamingSettings) -> TypeGuard[Packed]:
    return isinstance(record, tuple) and isinstance(record[0], int)


def _is_mapped(record: Packed | Mapped | NamingSettings) -> TypeGuard[Mapped]:
    return isinstance(record, tuple) and isinstance(record[0], str)


def _table_models(
    tables: Collection[str],
    definitions: list[Mapped],
    naming: NamingSettings = DEFAULT_NAMING,
    prisma: Mapping[str, str] | None = None,
    parents: Mapping[str, frozenset[tuple[str, str]]] | None = None,
) -> dict[str, TableModels]:
    """`prisma`: the tables the tree's Prisma models map (see `prisma_models`), and the Rails models a
    namespace prefixes (see `rails_prefixes`); `parents`: the mixins of the models (see `model_parents`)."""
    return {
        t: replace(
            table_models(
                t,
                sorted({m for table, m, _, _ in definitions if table == t}),
                naming,
                [m for m, mapped in (prisma or {}).items() if mapped.lower() != t.lower()],
                sorted({path for table, _, path, _ in definitions if table == t}),
            ),
            parents=(parents or {}).get(t, frozenset()),
        )
        for t in tables
    }


def _recheck(
    hit: Hit,
    targets: tuple[Target, ...],
    models: Mapping[str, TableModels],
    rows: Mapping[str, Collection[str]],
) -> Hit:
    """Confidence again, once the pass found which model classes map to the target's table: a use of a
    class defined for it, or near one, becomes high; so does a column read from a row of such a class
    (`deploy.message` of `class Deploy` with `db_table = "deploys_deploy"`). `rows`: the names of rows
    the pass learnt for each table (the model's own, known before it, were judged by it)."""
    if hit.use.confidence == "high" or is_comment(hit.use.text):
        return hit
    target = targets[hit.target]
    table = models[target.table]
    if hit.names & (table.defined if hit.role == "model" else table.models):
        return hit._replace(use=replace(hit.use, confidence="high"))
    learnt = rows.get(target.table, ())
    if target.kind != "column" or hit.role not in ("name", "new") or not learnt:
        return hit
    words = spellings(target.new_name or "") if hit.role == "new" else spellings(target.name)
    row = rf"(?<![\w.])(?:{'|'.join(map(re.escape, sorted(learnt)))})\??\.(?:{'|'.join(map(re.escape, words))})\b"
    if re.search(row, hit.use.text) is None:
        return hit
    return hit._replace(use=replace(hit.use, confidence="high"))


_AREA_ORDER = (*CRITICAL_AREAS, *AREAS)
_AREA_RANK = {area: i for i, area in enumerate(dict.fromkeys(_AREA_ORDER))}


def _sorted(uses: Iterable[Use]) -> tuple[Use, ...]:
    return tuple(sorted(uses, key=lambda u: (u.confidence != "high", _AREA_RANK[u.area], u.path, u.line)))


def _index(targets: tuple[Target, ...], hits: list[Hit], files: int, notes: list[str]) -> ReferenceIndex:
    old: dict[_Key, list[Use]] = {_key(t): [] for t in targets}
    new: dict[_NewKey, list[Use]] = {_new_key(t): [] for t in targets if t.new_name}
    seen: set[tuple[tuple[str, ...], str, int]] = set()
    for hit in sorted(hits, key=lambda h: h.use.confidence != "high"):  # a line's high use first
        # by key, not by target: two targets of one old name (a drop and a replacement) share its uses
        target = targets[hit.target]
        group = new[_new_key(target)] if hit.role == "new" else old[_key(target)]
        place = (_new_key(target) if hit.role == "new" else _key(target), hit.use.path, hit.use.line)
        if place in seen:
            continue
        seen.add(place)
        group.append(hit.use)
    notes += _flag_notes(
        [u for uses in (*old.values(), *new.values()) for u in uses if u.flag and u.blocking]
    )
    return ReferenceIndex(
        found={k: _sorted(v) for k, v in old.items()},
        renamed={k: _sorted(v) for k, v in new.items()},
        files=files,
        observations=tuple(notes),
    )


def _flag_notes(uses: list[Use]) -> list[str]:
    by_flag: dict[str, set[str]] = defaultdict(set)
    for use in uses:
        by_flag[use.flag or ""].add(f"`{use.path}:{use.line}`")
    notes = []
    for flag, places in sorted(by_flag.items()):
        shown = ", ".join(sorted(places)[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
        notes.append(
            f"Feature flag {flag} guards code that uses the changed schema ({shown}): "
            "turning it off is a rollback lever."
        )
    return notes


def _definitions(found: list[Mapped]) -> dict[str, tuple[Mapped, ...]]:
    by_table: dict[str, list[Mapped]] = defaultdict(list)
    for mapped in sorted(set(found)):
        by_table[mapped[0]].append(mapped)
    return {table: tuple(defs) for table, defs in by_table.items()}
