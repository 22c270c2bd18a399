"""A model that keeps a dropped column's name as its own attribute: a property, a method, a JSON-backed field.

Redash moved `users.profile_image_url` into a JSON column and kept `profile_image_url` on the model as a
property; Rails code defines `def nearby` next to `ignored_columns` (or `delegate :nearby, to: :place`); Polar's `minimum_amount` attribute maps
the column `minimum_amount_v2` (`mapped_column("minimum_amount_v2", …)`) when `minimum_amount` is dropped.
Code that reads `user.profile_image_url` or `price.minimum_amount` then reads the property or the other
column, which still works: those places are not uses of the dropped column. A Rails model's method may
come from a concern it includes (`include Syncable`, `def last_synced_at` in
`app/models/concerns/syncable.rb`); Rails still caches the table's columns, so the drop stays a warning
until the model lists the column in `ignored_columns`. A Python model's property may come from a parent
class its file imports from another module (`from dcim.models import BaseInterface`). A Diesel struct's field that selects another
expression (`#[diesel(select_expression = oauth_github::avatar.nullable())] pub gh_avatar`, crates.io after
the avatar moved to `oauth_github`) or names another column (`#[diesel(column_name = avatar_v2)]`) reads
that one, when no struct of the table still loads the column under its own name. So does a JPA entity's field
named like the column whose `@Column(name = "credits_amount")` maps another one (Fineract's `creditedPrincipal`
once `credited_principal` was renamed back to `credits_amount`).
A Rails model that `translates` the name (Globalize, Mobility) reads it from its translations' table, and a
Laravel model's accessor (`protected function genre(): Attribute`, `getGenreAttribute()`) computes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.model.changeset import Tree

# A column declaration in the ORMs whose model classes map tables: not a replacement attribute.
_COLUMN_CALL = re.compile(
    r"\b(?:Column|mapped_column|column_property|\w+Field|ForeignKey|relationship|Mapped)\b|\bdb\.(?:Column|\w+Field)\b"
)
# The column an attribute maps when it names one: SQLAlchemy's first argument, Django's db_column.
_NAMED_COLUMN = re.compile(r"(?:\w+\.)?(?:Column|mapped_column)\(\s*['\"](\w+)['\"]")
_DB_COLUMN = re.compile(r"\bdb_column\s*=\s*['\"](\w+)['\"]")
_RELATION_FIELD = re.compile(r"(?:\w+\.)*(?:ForeignKey|OneToOneField)\(")
_CLASS_START = re.compile(r"^(?:class|module|model)\s+\w+", re.M)


def kept_attribute(tree: Tree, definitions: Iterable[tuple[str, str, str, int]], name: str) -> str | None:
    """`path:line` of an attribute `name` that a model class of the table defines without being a column
    (`def name`, `name = json_cast_property(…)`, `@property`), or None."""
    definitions = tuple(definitions)
    if any(path.endswith(".rs") for _, _, path, _ in definitions):
        return _rust_field(tree, definitions, name)
    if any(path.endswith((".java", ".kt")) for _, _, path, _ in definitions):
        return _jvm_field(tree, definitions, name)
    if any(path.endswith(".prisma") for _, _, path, _ in definitions):
        return _prisma_relation(tree, definitions, name)
    for _, model, path, line in definitions:
        if path.endswith(".rb"):
            method = _ruby_method(tree, path, name)
            if method is not None:
                return method
            continue
        if path.endswith(".php"):
            accessor = _eloquent_accessor(tree.read(path) or "", name)
            if accessor is not None:
                return f"{path}:{accessor}"
            continue
        if not path.endswith(".py"):
            continue
        text = tree.read(path)
        if text is None:
            continue
        start = _offset(text, line)  # the class, or a declaration in it (`__tablename__`): from the class
        starts = (m.start() for m in _CLASS_START.finditer(text) if m.start() <= start)
        start = max(starts, default=start)  # the class line itself included
        subclasses = re.finditer(rf"^class\s+\w+\s*\([^)]*\b{re.escape(model)}\b", text, re.M)
        for begin in (start, *(m.start() for m in subclasses), *_parents(text, model)):
            found = _attribute(text, begin, name)
            if found is not None:
                return f"{path}:{text.count(chr(10), 0, found) + 1}"
        inherited = _imported_parent_attribute(tree, text, model, name)
        if inherited is not None:
            return inherited
    return None


def _imported_parent_attribute(tree: Tree, text: str, model: str, name: str) -> str | None:
    """`path:line` of `name` defined by a class the model inherits from that its file imports (`from
    dcim.models import BaseInterface` for `class VMInterface(BaseInterface)`, whose `mac_address` is a
    property), or None. The module is looked for at any depth of the tree (a project's source root)."""
    header = re.search(rf"^class\s+{re.escape(model)}\s*\(([^)]*)\)", text, re.M)
    defined = {m.group(1) for m in re.finditer(r"^class\s+(\w+)", text, re.M)}
    bases = [b for b in re.findall(r"[A-Za-z_]\w*", header.group(1)) if b not in defined] if header else []
    paths: list[str] | None = None
    for base in bases:
        imported = re.search(
            rf"^from\s+([\w.]+)\s+import\s+(?:\([^)]*|[^\n]*)\b{re.escape(base)}\b", text, re.M
        )
        if imported is None or imported.group(1).startswith("."):
            continue
        if paths is None:
            paths = [p for p in tree.paths() if p.endswith(".py")]
        module = imported.group(1).replace(".", "/")
        for path in paths:
            folder = path.rpartition("/")[0]
            if not (path.endswith(f"{module}.py") or folder == module or folder.endswith(f"/{module}")):
                continue
            other = tree.read(path)
            cls = re.search(rf"^class\s+{re.escape(base)}\b", other or "", re.M)
            if other is None or cls is None:
                continue
            for begin in (cls.start(), *_parents(other, base)):
                found = _attribute(other, begin, name)
                if found is not None:
                    return f"{path}:{other.count(chr(10), 0, found) + 1}"
    return None


_ARGS = r"(?:[^()]|\([^()]*\))*?"  # annotation arguments, one level of parentheses inside
# A JPA / Hibernate field and the `@Column` / `@JoinColumn` before it: the annotation's arguments and the field's
# name (Java `private BigDecimal creditedPrincipal;`, Kotlin `var creditedPrincipal: BigDecimal? = null`)
_JVM_FIELD = re.compile(
    r"@(?:Column|JoinColumn)\((" + _ARGS + r")\)\s*(?:@\w+(?:\(" + _ARGS + r"\))?\s*)*"
    r"(?:(?:private|protected|public|internal|final|static|transient|open|override|lateinit)\s+)*"
    r"(?:(?:va[rl])\s+(\w+)\s*:|[\w<>\[\],.? ]+?\s+(\w+)\s*[;=])"
)
_JVM_NAME = re.compile(r"\bname\s*=\s*\"([^\"]+)\"")


def _jvm_field(tree: Tree, definitions: Iterable[tuple[str, str, str, int]], name: str) -> str | None:
    """`path:line` of a JPA entity's field named like the column (`creditedPrincipal` for
    `credited_principal`) that its `@Column(name = "credits_amount")` maps to another column, when no field of
    the entities maps the column itself; None otherwise. Code that reads the field reads the other column."""
    wanted = name.replace("_", "").lower()
    kept: str | None = None
    for _, _model, path, _line in definitions:
        text = tree.read(path) if path.endswith((".java", ".kt")) else None
        if text is None:
            continue
        for field in _JVM_FIELD.finditer(text):
            attribute = field.group(2) or field.group(3) or ""
            mapped = _JVM_NAME.search(field.group(1))
            column = mapped.group(1).strip('`"') if mapped else attribute
            if column.replace("_", "").lower() == wanted or column.lower() == name.lower():
                return None  # a field still maps the column
            if attribute.lower() == wanted:
                kept = kept or f"{path}:{text.count(chr(10), 0, field.start()) + 1}"
    return kept


# A field of a Prisma model: its name, its type, and the rest of the line (attributes: `@map("…")`, `@relation`).
_PRISMA_FIELD = re.compile(r"^[ \t]*(\w+)[ \t]+(\w+)(?:\[\])?\??(?:[ \t]+([^\n]*))?$", re.M)
_PRISMA_MAP = re.compile(r"@map\(\s*(?:name\s*:\s*)?\"([^\"]+)\"")


def _prisma_relation(tree: Tree, definitions: Iterable[tuple[str, str, str, int]], name: str) -> str | None:
    """`path:line` of a relation field `name` of a Prisma model of the table (its type another model:
    `password UserPassword?` once the hash moved to a table of its own), when no field of the models maps
    the column itself (by its name or `@map("name")`); None otherwise. Prisma's client reads the relation
    there: `user.password.hash`, `include: { password: true }` load the other table's row."""
    kept: str | None = None
    for _, model, path, _line in definitions:
        text = tree.read(path) if path.endswith(".prisma") else None
        block = re.search(rf"^model[ \t]+{re.escape(model)}[ \t]*\{{", text, re.M) if text else None
        if text is None or block is None:
            continue
        end = _closing_brace(text, block.end() - 1)
        for field in _PRISMA_FIELD.finditer(text, block.end(), end):
            field_name, kind, rest = field.group(1), field.group(2), field.group(3) or ""
            relation = "@relation" in rest or bool(re.search(rf"^model[ \t]+{kind}[ \t]*\{{", text, re.M))
            mapped = _PRISMA_MAP.search(rest)
            if not relation and (mapped.group(1) if mapped else field_name) == name:
                return None  # a scalar field still maps the column
            if relation and field_name == name:
                kept = kept or f"{path}:{text.count(chr(10), 0, field.start()) + 1}"
    return kept


_STRUCT = re.compile(r"\bstruct[ \t]+\w+(?:<[^>{;]*>)?[ \t]*\{")
_DIESEL_ELSEWHERE = re.compile(r"\bselect_expression\s*=|\bcolumn_name\s*=\s*(\w+)")


def _rust_field(tree: Tree, definitions: Iterable[tuple[str, str, str, int]], name: str) -> str | None:
    """`path:line` of a field `name` of a Diesel struct of the table whose attribute selects another
    expression or column, when no struct of the table declares the field plainly (None then)."""
    field = re.compile(rf"^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?{re.escape(name)}[ \t]*:", re.M)
    kept: str | None = None
    for _, _, path, line in definitions:
        text = tree.read(path) if path.endswith(".rs") else None
        struct = _STRUCT.search(text, _offset(text, line)) if text else None
        if text is None or struct is None:
            continue
        end = _closing_brace(text, struct.end() - 1)
        for found in field.finditer(text, struct.end(), end):
            before = text[struct.end() : found.start()]
            attributes = before[max(before.rfind(","), before.rfind("{")) + 1 :]  # since the previous field
            other = _DIESEL_ELSEWHERE.search(attributes)
            if other is None or (other.group(1) or "").lower() == name.lower():
                return None  # a struct still loads the column itself
            kept = kept or f"{path}:{text.count(chr(10), 0, found.start()) + 1}"
    return kept


def _closing_brace(text: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(text)):
        char = text[index]
        if char in "{}":
            depth += 1 if char == "{" else -1
            if depth == 0:
                return index
    return len(text)


_INCLUDE = re.compile(r"^[ \t]*include[ \t]+([A-Z][\w:]*(?:[ \t]*,[ \t]*[A-Z][\w:]*)*)", re.M)


def _ruby_method(tree: Tree, path: str, name: str) -> str | None:
    """`path:line` of `def name` in a Rails model or in a concern it includes (`include Syncable`:
    `app/models/concerns/syncable.rb`, or `app/models/syncable.rb`, or beside the model)."""
    text = tree.read(path) or ""
    files = [path]
    folder = path.rpartition("/")[0]
    for listed in _INCLUDE.findall(text):
        for module in re.split(r"[ \t]*,[ \t]*", listed):
            snake = "/".join(_snake(part) for part in module.split("::"))
            root = folder.partition("app/models")[0] + "app/models"
            files += [f"{root}/concerns/{snake}.rb", f"{root}/{snake}.rb", f"{folder}/{snake}.rb"]
    method = re.compile(rf"^[ \t]*def[ \t]+{re.escape(name)}\b(?![?!=])", re.M)
    for candidate in dict.fromkeys(files):
        body = text if candidate == path else tree.read(candidate)
        found = method.search(body or "")
        at = found.start() if found is not None else _delegated(body or "", name)
        at = at if at is not None else _translated(body or "", name)
        if at is not None and body is not None:
            return f"{candidate}:{body.count(chr(10), 0, at) + 1}"
    return None


# `delegate :name, :email, to: :person` (its list may go on over the next lines after a comma)
_DELEGATE = re.compile(r"^[ \t]*delegate[ \t]+((?::\w+[?!]?[ \t]*,\s*)+)([^\n]*)", re.M)


def _delegated(body: str, name: str) -> int | None:
    """The offset of `delegate … :name …, to: :other` (without `prefix:`, which renames the method): the
    model answers `name` with another object's, not with its own column."""
    for found in _DELEGATE.finditer(body):
        listed = re.findall(r":(\w+)", found.group(1))
        options = found.group(2)
        if (
            name in listed
            and re.search(r"\bto:", options)
            and not re.search(r"\bprefix:\s*(?!false|nil)", options)
        ):
            return found.start()
    return None


def _parents(text: str, model: str) -> list[int]:
    """Where the classes the model inherits from start, when the same file defines them (an abstract
    `class Person(models.Model)` that declares the fields of `class Profile(Person)`), nearest first."""
    found: list[int] = []
    pending, seen = [model], {model}
    while pending:
        header = re.search(rf"^class\s+{re.escape(pending.pop())}\s*\(([^)]*)\)", text, re.M)
        for base in re.findall(r"[A-Za-z_]\w*", header.group(1)) if header else ():
            defined = re.search(rf"^class\s+{re.escape(base)}\b", text, re.M)
            if defined is not None and base not in seen:
                seen.add(base)
                found.append(defined.start())
                pending.append(base)
    return found


# Globalize's and Mobility's `translates :name, :disclosure_log` (its list may go on over the next lines)
_TRANSLATES = re.compile(r"^[ \t]*translates[ \t(]+((?::\w+[ \t]*,\s*)*:\w+)", re.M)


def _translated(body: str, name: str) -> int | None:
    """The offset of `translates … :name …`: the model reads `name` from its translations' table (alaveteli's
    `PublicBody`, whose `disclosure_log` moved to `public_body_translations`), not from its own column."""
    for found in _TRANSLATES.finditer(body):
        if name in re.findall(r":(\w+)", found.group(1)):
            return found.start()
    return None


def _eloquent_accessor(text: str, name: str) -> int | None:
    """The line of an Eloquent accessor of `name` in a Laravel model (`protected function genre():
    Attribute`, `public function getOwnSongsOnlyAttribute()`): `$song->genre` calls it (koel computes a
    song's `genre` from its `genres` after dropping the column)."""
    studly = "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)
    camel = studly[:1].lower() + studly[1:]
    pattern = re.compile(
        rf"^[ \t]*(?:(?:public|protected|private|static|final)[ \t]+)*function[ \t]+"
        rf"(?:{re.escape(camel)}[ \t]*\([ \t]*\)[ \t]*:[ \t]*\??\\?(?:[\w\\]+\\)?Attribute\b"
        rf"|get{re.escape(studly)}Attribute[ \t]*\()",
        re.M,
    )
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found is not None else None


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _attribute(text: str, start: int, name: str) -> int | None:
    """The offset of `name` defined in the class starting at `start` other than as its own column."""
    following = _CLASS_START.search(text, start + 1)
    body = text[start : following.start() if following else len(text)]
    method = re.search(rf"^[ \t]+def\s+(?:self\.)?{re.escape(name)}\b(?!\s*=)", body, re.M)
    assigned = re.search(rf"^[ \t]+{re.escape(name)}\s*(?::[^=\n]+)?=\s*(?!=)(.*)$", body, re.M)
    kept = assigned and (not _COLUMN_CALL.search(assigned.group(1)) or _other_column(body, assigned, name))
    found = method or (assigned if kept else None)
    return None if found is None else start + found.start()


def _other_column(body: str, assigned: re.Match[str], name: str) -> bool:
    """`minimum_amount = mapped_column("minimum_amount_v2", …)`, `options = Column("encrypted_options", …)`,
    `state = models.CharField(db_column="state_v2")`: the attribute maps another column."""
    call = body[assigned.start(1) : assigned.start(1) + 600]
    other = _NAMED_COLUMN.match(call) or _DB_COLUMN.search(call[: call_end(call)])
    if other is None and _RELATION_FIELD.match(call):
        return True  # `region = models.ForeignKey(Region, …)`: Django's `region_id`, not the text column
    return other is not None and other.group(1).lower() != name.lower()


def call_end(call: str) -> int:
    """Where the first call in `call` ends: the offset of its closing parenthesis (nested calls included)."""
    depth = 0
    for index, char in enumerate(call):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and char == ")":
            return index
    return len(call)


def _offset(text: str, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return len(text)
    return pos
