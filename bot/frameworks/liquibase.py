"""Liquibase changelogs in XML, YAML and formatted SQL.

- Each changeSet runs in its own transaction unless it says `runInTransaction="false"`; when a changelog
  mixes both, each transactional changeSet is wrapped in explicit begin/commit operations so every
  rule sees exactly which statements share a transaction.
- A changeSet is reversible when it has a `rollback` block, or when every change in it is one Liquibase
  can roll back by itself (`addColumn`, `createIndex`, …). `dropColumn`, `sql`, `update`, … need one.
- A changeSet whose `dbms` leaves out the database reviewed (`dbms="postgresql"` in a changelog that runs
  on MySQL too, `dbms="!mysql"`) is not run there, so it is not read for it; nor is one whose `context` names
  only other databases (a project that passes the database as the context: `context="mysql"`).
- XML is read without DTDs or entities (defusedxml); YAML with the safe loader, keeping lines.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from typing import NamedTuple

import yaml
from defusedxml.ElementTree import DefusedXMLParser

from bot.frameworks import suppressions
from bot.frameworks.liquibase_changes import AUTOMATIC_ROLLBACK, Element, operations
from bot.frameworks.settings.found import dialect_of, family
from bot.frameworks.sqlfile import parse_sql
from bot.frameworks.statements import separate
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import Migration, Operation, Transaction, Unparsed

NAME = "liquibase"
EXTENSIONS = (".xml", ".yaml", ".yml")
_FORMATTED = re.compile(r"^\s*--\s*liquibase\s+formatted\s+sql", re.I)
_CHANGESET = re.compile(r"^\s*--\s*changeset\s+(\S+)(.*)$", re.I | re.M)
_SQL_DBMS = re.compile(r"\bdbms:\s*(\S+)", re.I)
_SQL_CONTEXT = re.compile(r"\bcontext(?:Filter)?:\s*(\S+)", re.I)


def runs_on(dbms: str, dialect: str) -> bool:
    """Whether a changeSet with this `dbms` attribute (`postgresql`, `mysql, mariadb`, `!h2`, `all`) runs on
    the database reviewed; an empty one runs everywhere."""
    names = [n.strip().lower() for n in dbms.split(",") if n.strip()]
    if not names or "all" in names:
        return True
    if "none" in names:
        return False
    ours = family(dialect)

    def ours_named(name: str) -> bool:
        found = dialect_of(name)
        return found is not None and family(found) == ours

    if any(n.startswith("!") and ours_named(n[1:]) for n in names):
        return False
    named = [n for n in names if not n.startswith("!")]
    return not named or any(ours_named(n) for n in named)


# Databases Liquibase supports that the review does not read, as a context may name them
_OTHER_DATABASES = frozenset(
    {
        "oracle",
        "mssql",
        "sqlserver",
        "h2",
        "hsqldb",
        "db2",
        "derby",
        "sybase",
        "informix",
        "firebird",
        "cockroachdb",
    }
)


def runs_in_context(context: str, dialect: str) -> bool:
    """Whether a changeSet whose `context` (`contextFilter`) names only databases (`context="mysql"`,
    `context="postgresql, h2"`: a project that picks its changeSets by passing the database as the context) runs
    on the database reviewed. A context of other labels (`test`, `fresh`), or an expression with `and` or
    parentheses, says nothing about the database: the changeSet is read."""
    if not context.strip() or re.search(r"[()]|\band\b", context, re.I):
        return True
    names = [n.strip().lower() for n in re.split(r",|\bor\b", context, flags=re.I) if n.strip()]
    if not all(dialect_of(n.lstrip("!")) or n.lstrip("!") in _OTHER_DATABASES for n in names):
        return True
    return runs_on(",".join(names), dialect)


def detect(path: str, text: str) -> bool:
    if path.endswith(".xml"):
        return "<databaseChangeLog" in text
    if path.endswith((".yaml", ".yml")):
        return re.search(r"^databaseChangeLog\s*:", text, re.M) is not None
    return path.endswith(".sql") and _FORMATTED.match(text) is not None


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    match = re.search(r"(\d[\d._-]*)", path.rsplit("/", 1)[-1])
    return match.group(1) if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    if path.endswith(".sql"):
        return _formatted_sql(path, text, dialect)
    try:
        root = _read_xml(text) if path.endswith(".xml") else _read_yaml(text)
    except (ET.ParseError, yaml.YAMLError, ValueError) as error:
        op = Unparsed(
            error=f"the changelog could not be read: {error}", location=Location(path, _error_line(error))
        )
        return Migration(path, NAME, dialect, (op,), None, True, "could not be read")
    sets = [
        e
        for e in root.children
        if e.name == "changeSet"
        and runs_on(e.get("dbms"), dialect)
        and runs_in_context(e.get("context") or e.get("contextFilter"), dialect)
    ]
    mixed = any(s.get("runInTransaction") == "false" for s in sets)
    # each changeSet commits before the next starts: one transaction per changeSet, never one for the file
    one_each = mixed or len(sets) > 1
    up: list[Operation] = []
    down: list[Operation] = []
    reason = ""
    for change_set in sets:
        step = f"{change_set.get('author')}:{change_set.get('id')}"
        ops = [
            dataclasses.replace(op, applied_unit=step)
            for change in change_set.children
            if change.name not in ("rollback", "comment", "preConditions", "validCheckSum")
            for op in operations(change, path, dialect, tree.read)
        ]
        if one_each and change_set.get("runInTransaction") != "false":
            ops = [
                _marker("begin", path, change_set.line),
                *ops,
                _marker("commit", path, change_set.end_line or change_set.line),
            ]
        up.extend(ops)
        rollback, why = _rollback(change_set, path, dialect, tree)
        down.extend(rollback)
        reason = reason or why
    note = (
        "Liquibase runs each changeSet in its own transaction"
        if not mixed
        else 'changeSets with runInTransaction="false" run outside a transaction'
    )
    return Migration(
        path=path,
        framework=NAME,
        dialect=dialect,
        up=separate(up),
        down=None if reason else tuple(down),
        in_transaction=not one_each,
        transaction_note=note,
        down_path=None if reason else path,
        irreversible_reason=reason,
        version=version(path),
        suppressions=suppressions.find(text, up),
    )


class ChangeSetText(NamedTuple):
    line: int  # its first line
    body: str  # what its checksum covers (its changes and `modifySql`), without whitespace
    run_on_change: bool  # `runOnChange`: meant to be edited and run again
    valid_checksum: str  # the checksum a `validCheckSum` accepts besides its own (`ANY`, `8:…`), or ""
    empty: bool = False  # it changes nothing (a comment, preconditions at most): it ran and did nothing
    # a precondition that marks it ran, or skips it, where it fails (`onFail="MARK_RAN"` or `CONTINUE`): a
    # database that already has its work does not run it again
    guarded: bool = False


def change_sets(path: str, text: str) -> dict[str, ChangeSetText]:
    """Each changeSet of a changelog by `author:id`. Liquibase records changeSets, not files: appending one
    to a changelog is the normal way to change the schema, while editing one that ran fails its checksum on
    every database, unless a `validCheckSum` accepts the new one."""
    lines = text.splitlines()
    found: dict[str, ChangeSetText] = {}
    if path.endswith(".sql"):
        starts = list(_CHANGESET.finditer(text))
        for index, match in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
            line = text.count("\n", 0, match.start()) + 1
            run_on_change = "runOnChange:true" in match.group(2).replace(" ", "")
            chunk = text[match.start() : end]
            # the `--changeset` line's attributes, preconditions, comment and rollback lines: no part of the checksum
            changes = _NOT_CHECKSUMMED_LINE.sub("", chunk[match.end() - match.start() :])
            found[match.group(1)] = _change_set(line, chunk, run_on_change, changes)
            on_fail = _SQL_ON_FAIL.search(chunk)
            if on_fail is not None and on_fail.group(1).upper() in _SKIPPED_WHERE_FAILED:
                found[match.group(1)] = found[match.group(1)]._replace(guarded=True)
        return found
    try:
        root = _read_xml(text) if path.endswith(".xml") else _read_yaml(text)
    except (ET.ParseError, yaml.YAMLError, ValueError):
        return {}
    for element in root.children:
        if element.name != "changeSet":
            continue
        chunk = "\n".join(lines[element.line - 1 : max(element.end_line, element.line)])
        key = f"{element.get('author')}:{element.get('id')}"
        changes = "".join(_canonical(c) for c in element.children if c.name not in _NOT_CHECKSUMMED)
        found[key] = _change_set(element.line, chunk, element.get("runOnChange").lower() == "true", changes)
        if all(c.name in _NO_CHANGE for c in element.children):
            found[key] = found[key]._replace(empty=True)
        if any(_on_fail(c) in _SKIPPED_WHERE_FAILED for c in element.all("preConditions")):
            found[key] = found[key]._replace(guarded=True)
    return found


# What a precondition's `onFail` does that lets the update go on without running the changeSet
_SKIPPED_WHERE_FAILED = frozenset({"MARK_RAN", "CONTINUE"})
_SQL_ON_FAIL = re.compile(r"^[ \t]*--[ \t]*preconditions\b[^\n]*\bonFail:[ \t]*(\w+)", re.I | re.M)


def _on_fail(preconditions: Element) -> str:
    """`onFail` of a `preConditions` block: an XML attribute, or a YAML list item (`- onFail: MARK_RAN`)."""
    said = preconditions.get("onFail") or next((c.text for c in preconditions.all("onFail")), "")
    return said.strip().upper()


# What a changeSet may hold besides its changes
_NO_CHANGE = frozenset({"comment", "preConditions", "validCheckSum", "rollback", "tagDatabase"})
# What Liquibase leaves out of a changeSet's checksum (it sums the changes and `modifySql` only): these can be
# edited on a changeSet that ran, as can the changeSet's attributes (`context`, `labels`, `dbms`, …)
_NOT_CHECKSUMMED = frozenset({"comment", "preConditions", "validCheckSum", "rollback"})
_NOT_CHECKSUMMED_LINE = re.compile(
    r"^[ \t]*--[ \t]*(?:comment\b|preconditions?\b|precondition-|rollback\b|validCheckSum\b)[^\n]*",
    re.I | re.M,
)


def _canonical(element: Element) -> str:
    """A change as the checksum sees it: its name, attributes, text and nested elements, whitespace aside."""
    attrs = ",".join(f"{k}={v}" for k, v in sorted(element.attrs.items()))
    inner = "".join(_canonical(c) for c in element.children)
    return f"<{element.name}({attrs}){''.join(element.text.split())}{inner}>"


def _change_set(line: int, chunk: str, run_on_change: bool, changes: str) -> ChangeSetText:
    """`changes`: the text of what Liquibase's checksum covers (the chunk's other parts may change freely)."""
    valid = _VALID_CHECKSUM.search(chunk)
    accepted = next((g for g in valid.groups() if g), "") if valid else ""
    body = "".join(_VALID_CHECKSUM.sub("", changes).split())
    return ChangeSetText(line, body, run_on_change, accepted.strip())


_VALID_CHECKSUM = re.compile(
    r"<validCheckSum>\s*(?:<comment>[^<]*</comment>\s*)?([^<]*?)\s*(?:<comment>[^<]*</comment>\s*)?</validCheckSum>|^[ \t]*-?[ \t]*validCheckSum[ \t]*:[ \t]*[\"']?([^\s\"']+)[\"']?[ \t]*$"
    r"|^[ \t]*--[ \t]*validCheckSum[ \t]*:?[ \t]*(\S+)",
    re.M | re.I,
)


def _marker(action: str, path: str, line: int) -> Transaction:
    return Transaction(action=action, location=Location(path, line), end_line=line)


def _rollback(change_set: Element, path: str, dialect: str, tree: Tree) -> tuple[list[Operation], str]:
    blocks = change_set.all("rollback")
    if blocks:
        ops: list[Operation] = []
        for block in blocks:
            if block.text.strip():
                ops.extend(parse_sql(path, block.text, dialect, first_line=block.text_line))
            for change in block.children:
                ops.extend(operations(change, path, dialect, tree.read))
        return ops, ""
    manual = [
        c
        for c in change_set.children
        if c.name not in AUTOMATIC_ROLLBACK
        and c.name not in ("comment", "preConditions", "validCheckSum", "tagDatabase")
    ]
    if manual:
        return [], (
            f"changeSet `{change_set.get('id')}` has no rollback block and Liquibase cannot roll back "
            f"`{manual[0].name}` by itself (line {manual[0].line})"
        )
    return [], ""


def _read_xml(text: str) -> Element:
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    parser.feed(text)
    root = parser.close()
    return _element(root)


class _LineBuilder(ET.TreeBuilder):
    """Keeps the line of each start tag (and of each end tag) in reserved attributes."""

    parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        element.set("\0line", str(self._line()))
        return element

    def end(self, tag: str) -> ET.Element:
        element = super().end(tag)
        element.set("\0end", str(self._line()))
        return element

    def _line(self) -> int:
        return int(self.parser.parser.CurrentLineNumber) if self.parser is not None else 1


def _element(node: ET.Element) -> Element:
    attrs = {k: v for k, v in node.attrib.items() if not k.startswith("\0")}
    line = int(node.get("\0line", "1"))
    return Element(
        name=node.tag.rsplit("}", 1)[-1],
        attrs=attrs,
        children=[_element(c) for c in node],
        text=node.text or "",
        line=line,
        text_line=line,
        end_line=int(node.get("\0end", str(line))),
    )


def _read_yaml(text: str) -> Element:
    document = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(document, yaml.MappingNode):
        raise ValueError("the changelog is not a mapping")
    return _yaml_element("root", document)


def _yaml_element(name: str, node: yaml.Node) -> Element:
    element = Element(name=name, line=node.start_mark.line + 1, end_line=node.end_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        element.text, element.text_line = str(node.value), _text_line(node)
        return element
    pairs = node.value if isinstance(node, yaml.MappingNode) else []
    items = node.value if isinstance(node, yaml.SequenceNode) else []
    for key, value in pairs:
        if isinstance(value, yaml.ScalarNode):
            element.attrs[str(key.value)] = str(value.value)
            if key.value in ("sql", "where"):
                element.text, element.text_line = str(value.value), _text_line(value)
        elif key.value in ("changes", "databaseChangeLog", "columns"):
            element.children.extend(_yaml_element_items(value))
        else:
            element.children.append(_yaml_element(str(key.value), value))
    element.children.extend(_yaml_element_items(node) if items else [])
    return element


def _yaml_element_items(node: yaml.Node) -> list[Element]:
    """A list of one-key mappings (`- addColumn: {…}`) as elements named by their key."""
    found = []
    for item in node.value if isinstance(node, yaml.SequenceNode) else []:
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                found.append(_yaml_element(str(key.value), value))
    return found


def _text_line(node: yaml.ScalarNode) -> int:
    return node.start_mark.line + (2 if node.style in ("|", ">") else 1)


# Liquibase's own lines in a formatted SQL changelog: read by Liquibase, never sent to the database (MySQL
# would not take `--changeset` for a comment: its comments need a space after the dashes)
_DIRECTIVE = re.compile(
    r"^[ \t]*--[ \t]*(?:liquibase\b|changeset\b|rollback\b|comment\b|preconditions?\b|precondition-|"
    r"validCheckSum\b|labels?\b|context\b|ignoreLines\b|property\b|include)[^\n]*",
    re.I | re.M,
)


def _formatted_sql(path: str, text: str, dialect: str) -> Migration:
    text = _for_database(text, dialect)
    up = parse_sql(path, _DIRECTIVE.sub("", text), dialect)
    starts = [m for m in _CHANGESET.finditer(text)]
    no_transaction = any("runInTransaction:false" in m.group(2).replace(" ", "") for m in starts)
    if no_transaction or len(starts) > 1:
        up = _each_in_its_own(path, text, starts, up)
    reason = ""
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        if not re.search(r"^\s*--\s*rollback\b", text[match.end() : end], re.I | re.M):
            line = text.count("\n", 0, match.start()) + 1
            reason = reason or f"changeset `{match.group(1)}` (line {line}) has no `--rollback`"
    note = (
        "a changeset sets runInTransaction:false"
        if no_transaction
        else "Liquibase runs each changeset in its own transaction"
    )
    down = tuple(
        op
        for index in reversed(range(len(starts)))
        for op in _rollback_lines(path, text, starts, index, dialect)
    )
    return Migration(
        path=path,
        framework=NAME,
        dialect=dialect,
        up=up,
        down=None if reason else down,
        in_transaction=not (no_transaction or len(starts) > 1),
        transaction_note=note,
        irreversible_reason=reason,
        version=version(path),
        suppressions=suppressions.find(text, up),
    )


def _each_in_its_own(
    path: str, text: str, starts: list[re.Match[str]], up: tuple[Operation, ...]
) -> tuple[Operation, ...]:
    """A formatted changelog's statements with a begin/commit pair around each changeset that runs in a
    transaction: Liquibase commits one before it runs the next."""
    lines = [text.count("\n", 0, m.start()) + 1 for m in starts]
    ends = [line - 1 for line in lines[1:]] + [text.count("\n") + 1]
    result = [op for op in up if op.location.line < lines[0]]
    for match, first, last in zip(starts, lines, ends, strict=True):
        ops = [op for op in up if first <= op.location.line <= last]
        if "runInTransaction:false" in match.group(2).replace(" ", ""):
            result.extend(ops)
        elif ops:
            result.extend(
                [_marker("begin", path, first), *ops, _marker("commit", path, ops[-1].end_line or last)]
            )
    return tuple(result)


_ROLLBACK_LINE = re.compile(r"^[ \t]*--[ \t]*rollback\b[ \t]?(.*)$", re.I)
_NOTHING_TO_ROLL_BACK = re.compile(r"\s*(?:not\s+required|empty)?\s*;?\s*", re.I)


def _for_database(text: str, dialect: str) -> str:
    """The formatted SQL without the changesets whose `dbms:` leaves the database out (their lines kept
    blank, so every other statement keeps its line)."""
    starts = list(_CHANGESET.finditer(text))
    for index in reversed(range(len(starts))):
        match = starts[index]
        dbms = _SQL_DBMS.search(match.group(2))
        context = _SQL_CONTEXT.search(match.group(2))
        if (dbms is None or runs_on(dbms.group(1), dialect)) and (
            context is None or runs_in_context(context.group(1), dialect)
        ):
            continue
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        text = text[: match.start()] + "\n" * text.count("\n", match.start(), end) + text[end:]
    return text


def _rollback_lines(
    path: str, text: str, starts: list[re.Match[str]], index: int, dialect: str
) -> tuple[Operation, ...]:
    """The statements of one changeset's `--rollback` lines, read at their own lines (`--rollback not
    required` and `--rollback empty` are none)."""
    begin = starts[index].end()
    end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
    first_line = text.count("\n", 0, begin) + 1
    lines = [
        match.group(1) if (match := _ROLLBACK_LINE.match(line)) else ""
        for line in text[begin:end].split("\n")
    ]
    body = "\n".join(lines)
    if _NOTHING_TO_ROLL_BACK.fullmatch(body):
        return ()
    return parse_sql(path, body, dialect, first_line=first_line)


def _error_line(error: Exception) -> int:
    position = getattr(error, "position", None)
    if isinstance(position, tuple) and position:
        return int(position[0])
    mark = getattr(error, "problem_mark", None)
    return int(mark.line) + 1 if mark is not None else 1
