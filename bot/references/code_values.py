"""The values the code defines for a column: enums, choices and constants found in the head tree.

The index is built once per review, on first use, in one pass over the files whose extension has a
reader (`bot/references/codesyntax.py`). A column is matched to definitions by what the code says about it (a Rails
`enum status:`, a Django field with `choices=`, a Prisma or Go field typed with an enum) and else by name
(`OrderStatus` for `orders.status`, `Priority` for `priority_id`), plus the database's own enum types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.model.catalog import Catalog
from bot.model.changeset import Tree, read_ahead
from bot.model.findings import Reference
from bot.references.codesyntax import LENGTH_LIMIT, SCALAR, Definition, FieldLink, Member, reader_for, snake
from bot.references.codesyntax.schema import ENUM_VALUE_ADDED
from bot.references.inflection import singularize
from bot.sql.domains import literal

MAX_FILE_BYTES = 1_000_000
_SKIP_PARTS = (
    "/node_modules/",
    "/vendor/",
    "/migrations/",
    "/db/migrate/",
    "/test/",
    "/tests/",
    "/spec/",
    "/__tests__/",
)
_SUFFIXES = ("_id", "_code", "_type", "_kind", "_key")


@dataclass(frozen=True)
class Match:
    definition: Definition
    score: int


class CodeValues:
    def __init__(self, tree: Tree) -> None:
        self._tree = tree
        self._definitions: list[Definition] | None = None
        self._links: dict[str, list[FieldLink]] = {}  # field links by the last part of the type they name
        self._names: dict[int, str] = {}  # id(definition) → its name in snake case
        self._matches: dict[tuple[str, str], list[Match]] = {}  # (table, column) → matches from the tree
        self._by_word: dict[str, list[Definition]] = {}  # each word a definition can be matched by
        self._limits: list[Definition] = []  # maximum lengths the code enforces on fields
        self._scalars: dict[str, list[Definition]] = {}  # integer constants by name, for limits named so
        self._position: dict[int, int] = {}  # id(definition) → its place in `definitions`
        self._seeded: set[str] = set()  # the lookup tables whose seeds a SQL file of the tree defines
        # id(rows) → (rows, their members): a catalog replaces a table's list of seeded rows on every
        # change (never extends it), so every snapshot of a review shares the lists it did not change
        self._seed_members: dict[int, tuple[list[dict[str, str]], tuple[Member, ...]]] = {}

    @property
    def definitions(self) -> list[Definition]:
        if self._definitions is None:
            self._definitions = []
            wanted = [
                (path, reader)
                for path in self._tree.paths()
                if (reader := reader_for(path)) is not None
                and (path.endswith(".sql") or not any(p in f"/{path}" for p in _SKIP_PARTS))
            ]
            # one read of every file rather than one per file
            read_ahead(self._tree, [path for path, _ in wanted])
            for path, reader in wanted:
                text = self._tree.read(path)
                if text is None or len(text) > MAX_FILE_BYTES:
                    continue
                found, links = reader(path, text)
                self._definitions.extend(
                    d for d in found if d.members and d.kind not in (LENGTH_LIMIT, SCALAR)
                )
                self._limits.extend(d for d in found if d.kind == LENGTH_LIMIT)
                for link in links:
                    self._links.setdefault(link.type_name.rpartition(".")[2], []).append(link)
                for scalar in (d for d in found if d.kind == SCALAR):
                    self._scalars.setdefault(scalar.name, []).append(scalar)
            self._limits = [resolved for d in self._limits if (resolved := self._resolved(d)) is not None]
            self._definitions = _merge_added_values(self._definitions)
            self._names = {id(d): _definition_name(d) for d in self._definitions}
            self._by_word = _words_index(self._definitions, self._names, self._links)
            self._position = {id(d): i for i, d in reversed(list(enumerate(self._definitions)))}
            self._seeded = {d.name for d in self._definitions if d.kind == SEED_KIND}
        return self._definitions

    def _candidates(self, table: str, column: str) -> list[Definition]:
        """The definitions `_score` can match for the column: those sharing a word with it (its name, a
        declared column, a field link), in their order; the others score None whatever the table."""
        self.definitions  # noqa: B018 (builds the index)
        words = _column_names(column) | {column} | {f"{singular(table)}_{n}" for n in _column_names(column)}
        chosen = {id(d): d for w in words for d in self._by_word.get(w, ())}
        if len(self._position) < len(self.definitions):  # one definition listed twice: keep both places
            return [d for d in self.definitions if id(d) in chosen]
        listed = [d for d in chosen.values() if id(d) in self._position]
        return sorted(listed, key=lambda d: self._position[id(d)])

    def for_column(self, table: str, column: str, catalog: Catalog | None = None) -> list[Definition]:
        """Definitions that may hold the values of `table.column`, best first."""
        if (table, column) not in self._matches:
            self._matches[table, column] = [
                m for d in self._candidates(table, column) if (m := self._score(d, table, column)) is not None
            ]
        matches = list(self._matches[table, column])
        if catalog is not None:
            matches.extend(_catalog_enum(catalog, table, column, self.definitions))
            matches.extend(self._catalog_seeds(catalog, table, column))
        matches.sort(key=lambda m: -m.score)
        seen: set[tuple[str, str, int]] = set()
        result = []
        for match in matches:
            key = (match.definition.path, match.definition.name, match.definition.line)
            if key not in seen:
                seen.add(key)
                result.append(match.definition)
        return result

    def declared(
        self, table: str, column: str, catalog: Catalog | None = None
    ) -> list[tuple[Definition, int]]:
        """Definitions the code or the schema declares for `table.column` itself, with how sure the match is:
        100 a Rails enum of the table's model, 95 the column's enum type, 90 a field declared with the
        definition as its choices or type, 85 a definition named after table and column (`OrderStatus`)."""
        self.for_column(table, column, catalog)
        found = [(m.definition, m.score) for m in self._matches[table, column] if m.score >= 85]
        if catalog is not None:
            found += [
                (m.definition, m.score) for m in _catalog_enum(catalog, table, column, self.definitions)
            ]
        return sorted(found, key=lambda pair: -pair[1])

    def best(
        self,
        table: str,
        column: str,
        literals: Iterable[str],
        catalog: Catalog | None = None,
        *,
        by_label: bool = False,
    ) -> Definition | None:
        """The definition for the column that shares most values with `literals` (at least one).

        Values are compared as the database stores them; `by_label` also compares the names in the code
        (`'high'` with `HIGH = 3`), for mappings from a label to the stored value.
        """
        wanted = {normal(v) for v in literals}
        best, overlap = None, 0
        for definition in self.for_column(table, column, catalog):
            forms = {
                normal(f)
                for m in definition.members
                for f in (_labelled(m) if by_label else stored(definition, m))
            }
            if len(wanted & forms) > overlap:
                best, overlap = definition, len(wanted & forms)
        return best

    def length_limits(self, table: str, column: str) -> list[Definition]:
        """The maximum lengths the code enforces on `table.column`: validations, form and serializer fields,
        schemas of the table's model (`Order`, `OrderSerializer`, `CreateOrderDto`, `orderSchema`)."""
        self.definitions  # noqa: B018 (builds the index)
        owner = singular(table)
        return [
            d for d in self._limits if d.column == column and d.owner and _owns(_model_named(d.owner), owner)
        ]

    def _resolved(self, limit: Definition) -> Definition | None:
        """A limit given by a constant's name (`max_length=NAME_MAX_LENGTH`) with the constant's value: the
        one of the same file, else of the module the file imports it from, else the one value every
        constant of that name in the tree holds; None when it cannot be told."""
        bound = limit.members[0].value
        if bound.isdigit():
            return limit
        name = bound.replace("::", ".").rsplit(".", 1)[-1]
        candidates = self._scalars.get(name, [])
        chosen = [c for c in candidates if c.path == limit.path] or [
            c for c in candidates if c.path in imported(self._tree, limit.path, name)
        ]
        values = {c.members[0].value for c in chosen or candidates}
        if len(values) != 1:
            return None
        value = values.pop()
        member = replace(limit.members[0], value=value)
        return replace(limit, name=f"{limit.name} = {value}", members=(member,))

    def _catalog_seeds(self, catalog: Catalog, table: str, column: str) -> list[Match]:
        """The rows the migrations seed into lookup tables with explicit keys (however they were written:
        SQL, ORM creates, fixtures), as definitions of key → label, matched to the column by name like the
        code's; tables whose seeds a SQL file of the tree already defines are left to it."""
        self.definitions  # noqa: B018 (builds the index)
        found = []
        for name, rows in catalog.seeds.items():
            short = name.rsplit(".", 1)[-1].lower()
            members = self._members_of(rows) if short not in self._seeded else ()
            if members:
                definition = Definition(short, SEED_KIND, "", 0, members)
                match = self._score(definition, table, column, _definition_name(definition))
                if match is not None:
                    found.append(match)
        return found

    def _members_of(self, rows: list[dict[str, str]]) -> tuple[Member, ...]:
        known = self._seed_members.get(id(rows))
        if known is None or known[0] is not rows:
            known = (rows, _seed_members(rows))
            self._seed_members[id(rows)] = known
        return known[1]

    def _score(self, definition: Definition, table: str, column: str, name: str = "") -> Match | None:
        owner = singular(table)
        names = _column_names(column)
        if definition.column and definition.column == column:
            declared_by = snake(definition.owner.split("::")[-1])
            if not declared_by:
                return Match(definition, 80)
            return Match(definition, 100) if declared_by in (owner, table) else None  # another table's column
        # the field of the table's own model decides, wherever the forms and serializers naming the same
        # definition are listed
        links = [
            link
            for link in self._links.get(definition.name, ())
            if _names_definition(link, definition) and link.column in names
        ]
        if links:
            link = next((k for k in links if _owns(k.owner, owner)), links[0])
            linked = replace(definition, kind=SQLALCHEMY_KIND) if link.stores_names else definition
            return Match(linked, 90 if _owns(link.owner, owner) else 70)
        name = name or self._names[id(definition)]
        if definition.kind in CONSTANT_KINDS and definition.owner:
            # a constant of a class is this column's only when the class is the table's model
            return Match(definition, 85) if name in names and _owns(definition.owner, owner) else None
        if name in {f"{owner}_{n}" for n in names}:
            return Match(definition, 85)
        if name in names:
            return Match(definition, 60)
        if any(name.endswith(f"_{n}") and owner.endswith(name[: -len(n) - 1]) for n in names):
            return Match(definition, 40)  # `OrderStatus` for `shop_orders.status`
        return None


def _words_index(
    definitions: list[Definition], names: dict[int, str], by_name: dict[str, list[FieldLink]]
) -> dict[str, list[Definition]]:
    """Word → definitions: a definition is found by the column it declares, by the columns of the field
    links naming it, and by its snake-case name and every tail of it after an underscore (`order_status`
    under `order_status` and `status`), which covers each way `_score` can match it."""
    index: dict[str, list[Definition]] = {}
    for definition in definitions:
        name = names[id(definition)]
        words = {name} | {name.split("_", i)[-1] for i in range(1, name.count("_") + 1)}
        if definition.column:
            words.add(definition.column)
        words |= {
            link.column for link in by_name.get(definition.name, ()) if _names_definition(link, definition)
        }
        for word in words:
            index.setdefault(word, []).append(definition)
    return index


def _names_definition(link: FieldLink, definition: Definition) -> bool:
    """`choices=Status.choices` names `Status`; `choices=Order.Status.choices` only the one nested in `Order`."""
    *qualifier, name = link.type_name.split(".")
    if name != definition.name:
        return False
    if link.path and definition.path and reader_for(link.path) is not reader_for(definition.path):
        return False  # a Python model's field names a Python enum, not the TypeScript one of the same name
    if not qualifier and definition.kind in CONSTANT_KINDS and definition.owner:
        # an unqualified constant is the one of the declaring class or file
        return definition.owner == link.owner or definition.path == link.path
    return not qualifier or not definition.owner or qualifier[-1] == definition.owner.split("::")[-1]


def _owns(model: str, owner: str) -> bool:
    """Is the model the table's (`Order` for `orders`, and for Django's `shop_order`; `OrderItem` for
    `order_items` and for Django's `shop_orderitem`)?"""
    name = snake(model.split("::")[-1].split(".")[-1])
    joined = name.replace("_", "")
    return bool(name) and (owner in (name, joined) or owner.endswith((f"_{name}", f"_{joined}")))


_AFFIXES = re.compile(
    r"^(?:[Cc]reate|[Uu]pdate|[Nn]ew|[Ee]dit|[Pp]atch)(?=[A-Z])|(?:Dto|DTO|Schema|Serializer|Form|Input|Request|Params|Validator)$"
)


def _model_named(owner: str) -> str:
    """The model a form, serializer or schema is for: `CreateOrderDto` → `Order`, `orderSchema` → `order`."""
    name = owner.split("::")[-1].split(".")[-1]
    stripped = _AFFIXES.sub("", _AFFIXES.sub("", name))
    return stripped or name


def _merge_added_values(definitions: list[Definition]) -> list[Definition]:
    """`ALTER TYPE … ADD VALUE` statements join the values of the type they extend."""
    added: dict[str, list[Member]] = {}
    for definition in definitions:
        if definition.kind == ENUM_VALUE_ADDED:
            added.setdefault(definition.name, []).extend(definition.members)
    merged = []
    for definition in definitions:
        if definition.kind == ENUM_VALUE_ADDED:
            continue
        if definition.kind == "database enum type" and definition.name in added:
            known = {m.value for m in definition.members}
            extra = tuple(m for m in added[definition.name] if m.value not in known)
            definition = replace(definition, members=definition.members + extra)
        merged.append(definition)
    return merged


def _catalog_enum(catalog: Catalog, table: str, column: str, definitions: list[Definition]) -> list[Match]:
    found = catalog.column(table, column)
    if found is None:
        return []
    if found.type.startswith(("enum(", "set(")):  # MySQL's inline ENUM('a', 'b')
        inline = tuple(Member(v, v, 0) for v in re.findall(r"'((?:[^']|'')*)'", found.type))
        return (
            [Match(Definition(f"{table}.{column}", "MySQL ENUM column", "", 0, inline), 95)] if inline else []
        )
    type_name = found.type.split(".")[-1].strip('"')
    in_tree = [d for d in definitions if d.kind == "database enum type" and d.name == type_name]
    if in_tree:
        return [Match(d, 95) for d in in_tree]
    values = catalog.enums.get(type_name)
    if not values:
        return []
    members = tuple(Member(v, v, 0) for v in values)
    return [Match(Definition(type_name, "database enum type", "", 0, members), 95)]


def _seed_members(rows: list[dict[str, str]]) -> tuple[Member, ...]:
    """Seeded rows as members `label = id`: each row needs a literal `id` and a quoted value to name it."""
    members = []
    for row in rows:
        key = literal(row.get("id", ""))
        label = next(
            (v.text for c, sql in row.items() if c != "id" and (v := literal(sql)) is not None and v.quoted),
            None,
        )
        if key is None or key.quoted or label is None:
            return ()
        members.append(Member(label, key.text, 0))
    return tuple(members)


def _column_names(column: str) -> set[str]:
    names = {column, plural(column)}
    for suffix in _SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            base = column.removesuffix(suffix)
            names |= {base, plural(base)}
    return names


def _definition_name(definition: Definition) -> str:
    name = snake(definition.name)
    for suffix in ("_choices", "_enum", "_values", "_options"):
        name = name.removesuffix(suffix)
    return name


def singular(word: str) -> str:
    """`orders` → `order`, `enterprises` → `enterprise`, `shop.statuses` → `status`."""
    return singularize(word.split(".")[-1])


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


def normal(value: str) -> str:
    """The form two values share when they differ only by case or surrounding whitespace."""
    return value.strip().lower()


SQLALCHEMY_KIND = "Python Enum mapped by SQLAlchemy"
SEED_KIND = "seed rows"
CONSTANT_KINDS = (
    "Ruby constant",
    "Python constant",
    "Java constants",
    "Kotlin constants",
    "TypeScript constant",
)
# JPA and Exposed store an enum's name unless told otherwise; SQLAlchemy's `Enum(SomeEnum)` too, unless
# `values_callable` says to store the values: both forms are the column's
_NAMES_STORED = ("Java enum", "Kotlin enum", SQLALCHEMY_KIND)


def stored(definition: Definition, member: Member) -> set[str]:
    """The forms in which the database may hold a member: its value, and its name where that is stored."""
    return {member.value, member.label} if definition.kind in _NAMES_STORED else {member.value}


def _labelled(member: Member) -> tuple[str, str]:
    return member.value, member.label


def member_for(definition: Definition, literal: str) -> Member | None:
    """The member stored exactly as `literal`."""
    return next((m for m in definition.members if literal in stored(definition, m)), None)


def near_member(definition: Definition, literal: str) -> Member | None:
    """A member stored as `literal` once case and surrounding whitespace are ignored, but not exactly."""
    if member_for(definition, literal) is not None:
        return None
    wanted = normal(literal)
    return next((m for m in definition.members if wanted in {normal(f) for f in stored(definition, m)}), None)


def misspelt_member(definition: Definition, literal: str) -> Member | None:
    """The one member whose stored form is a letter or two away from `literal` (`'canceled'` for
    `'cancelled'`, `'shiped'` for `'shipped'`), when `literal` is no member in any case: a typo."""
    wanted = normal(literal)
    if (
        len(wanted) < 4
        or not any(c.isalpha() for c in wanted)
        or near_member(definition, literal) is not None
    ):
        return None
    if member_for(definition, literal) is not None:
        return None
    limit = 1 if len(wanted) < 8 else 2
    close = [
        m
        for m in definition.members
        if any(0 < _edits(wanted, normal(form), limit) <= limit for form in stored(definition, m))
    ]
    return close[0] if len(close) == 1 else None


def _edits(a: str, b: str, limit: int) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbours turning `a` into `b`; limit + 1 once
    over `limit`. Written here: difflib's ratio is no edit count, and one typo is what this asks about."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def where(definition: Definition, member: Member | None = None) -> Reference:
    line = member.line if member is not None and member.line else definition.line
    text = f"{definition.kind} `{definition.name}`" + (
        f": {member.label} = {member.value!r}" if member else ""
    )
    path = member.path if member is not None and member.path else definition.path
    return Reference(path or "(database)", line, text, kind="code-value")


def describe(definition: Definition) -> str:
    place = (
        f"`{definition.path}:{definition.line}`"
        if definition.path
        else "the rows the migrations seed"
        if definition.kind == SEED_KIND
        else "the database schema"
    )
    return f"{definition.kind} `{definition.name}` ({place})"


_PY_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n]*))", re.M)
_TS_IMPORT = re.compile(r"\bimport\s*(?:type\s+)?\{([^}]*)\}\s*from\s*[\"']([^\"']+)[\"']")


def imported(tree: Tree, path: str, name: str) -> set[str]:
    """The paths of the tree a file may import `name` from (`from shop.limits import NAME_MAX`,
    `import { MAX_TITLE } from "./limits"`); empty when it names no module that declares it."""
    text = tree.read(path) or ""
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    modules: list[str] = []
    for match in _PY_IMPORT.finditer(text):
        if re.search(rf"\b{re.escape(name)}\b", match.group(2) or match.group(3)):
            module = match.group(1)
            dots = len(module) - len(module.lstrip("."))
            base = "/".join(folder.split("/")[: len(folder.split("/")) - dots + 1]) if dots else ""
            modules.append("/".join(p for p in (base, module.lstrip(".").replace(".", "/")) if p))
    for match in _TS_IMPORT.finditer(text):
        if re.search(rf"\b{re.escape(name)}\b", match.group(1)) and match.group(2).startswith("."):
            modules.append(_joined(folder, match.group(2)))
    if not modules:
        return set()
    suffixes = (".py", "/__init__.py", ".ts", ".tsx", "/index.ts")
    endings = tuple(f"/{m}{s}" for m in modules for s in suffixes)  # one test of each path, not 5 per module
    return {p for p in tree.paths() if f"/{p}".endswith(endings)}


def _joined(folder: str, relative: str) -> str:
    parts = folder.split("/") if folder else []
    for piece in relative.split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)
