"""Rails table name prefixes and suffixes: which table a model class maps when its namespace, the class itself
or the application puts a prefix (or suffix) around the conventional name.

- A namespace module (`app/models/billing.rb`: `module Billing; def self.table_name_prefix; "billing_"; end`,
  what `rails g model billing/invoice` writes) prefixes every model under it: `app/models/billing/invoice.rb`
  (`Billing::Invoice`) maps `billing_invoices`; the innermost namespace that declares one wins.
- A model class (`self.table_name_prefix = "legacy_"` in `app/models/account.rb`) prefixes its own table.
- The application (`config.active_record.table_name_prefix = "app_"`, or `ActiveRecord::Base.table_name_prefix
  = …` in an initializer) prefixes every model without a prefix of its own, and every table a Ruby migration
  names: SQL in the code names `app_users` for what the migrations call `users`.

A model that declares `self.table_name = "…"` maps that table as written, prefix or not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.model.changeset import Tree, read_ahead
from bot.references.inflection import camelize, pluralize, singularize, underscore

_MODELS = "app/models/"
_DECLARED = {
    kind: re.compile(
        rf"\bdef\s+self\.table_name_{kind}\b(?:\s*\(\s*\))?\s*(?:=\s*|\n\s*)[\"']([\w.]*)[\"']"
        rf"|^[ \t]*self\.table_name_{kind}\s*=\s*[\"']([\w.]*)[\"']",
        re.M,
    )
    for kind in ("prefix", "suffix")
}
_APPLICATION = {
    kind: re.compile(
        rf"^[ \t]*(?:config\.active_record|ActiveRecord::Base)\.table_name_{kind}\s*=\s*[\"']([\w.]*)[\"']",
        re.M,
    )
    for kind in ("prefix", "suffix")
}
_ENGINE = re.compile(r"(?:^|/)lib/(?:[\w/]+/)?engine\.rb$")
_ISOLATE = re.compile(r"^[ \t]*isolate_namespace[ \t(]+((?:\w+::)*\w+)", re.M)
_OWN_TABLE = re.compile(r"^\s*self\.table_name\s*=", re.M)
_CONFIG = re.compile(r"^(?:.*/)?config/(?:application|environments/production|initializers/[\w.-]+)\.rb$")


@dataclass(frozen=True)
class Affixes:
    """The prefix and suffix around a conventional table name."""

    prefix: str = ""
    suffix: str = ""

    def around(self, table: str) -> str:
        return f"{self.prefix}{table}{self.suffix}"

    def within(self, table: str) -> str | None:
        """The conventional name inside `table`, or None when `table` does not carry these affixes."""
        if not table.startswith(self.prefix) or not table.endswith(self.suffix):
            return None
        inner = table[len(self.prefix) : len(table) - len(self.suffix)]
        return inner or None


@dataclass(frozen=True)
class Prefixed:
    """A model file under a namespace (or a class) with its own affixes, and the table it maps."""

    table: str
    model: str
    path: str


@dataclass(frozen=True)
class RailsPrefixes:
    application: Affixes = Affixes()
    namespaced: tuple[Prefixed, ...] = ()  # the models under a namespace that declares affixes
    roots: tuple[str, ...] = ()  # the folders that hold models (`app/models/`, `engines/x/app/models/`)

    def conventional(self, table: str) -> str | None:
        """The table without the application's affixes, when it carries them."""
        if self.application == Affixes():
            return None
        return self.application.within(table)


# The tree asked about last and the answer: a search asks twice for the same tree
_last: list[tuple[Tree, RailsPrefixes]] = []


def prefixes(tree: Tree) -> RailsPrefixes:
    """The application's affixes and the models that a namespace of their own prefixes."""
    if _last and _last[0][0] is tree:
        return _last[0][1]
    found = _read(tree)
    _last[:] = [(tree, found)]
    return found


def models_for(tree: Tree, table: str) -> Iterator[Prefixed]:
    """The model files that map `table` through affixes: a namespace's, a class's own, or the
    application's (`app/models/user.rb` for `app_users`)."""
    found = prefixes(tree)
    yield from (m for m in found.namespaced if m.table == table)
    plain = found.conventional(table)
    for root in found.roots:
        path = f"{root}{singularize(plain)}.rb" if plain is not None else ""
        text = tree.read(path) if path else None
        if (
            text is not None
            and not _OWN_TABLE.search(text)
            and _affixes(text, _DECLARED, Affixes()) == Affixes()
        ):
            yield Prefixed(table, camelize(singularize(path.rpartition("/")[2][:-3])), path)
        for i, char in enumerate(table):
            if char != "_" or not 0 < i < len(table) - 1:
                continue
            path = f"{root}{singularize(table[i + 1 :])}.rb"
            text = tree.read(path)
            if text is None or "table_name_" not in text or _OWN_TABLE.search(text):
                continue
            if (
                _affixes(text, _DECLARED, found.application).around(pluralize(singularize(table[i + 1 :])))
                == table
            ):
                yield Prefixed(table, camelize(singularize(table[i + 1 :])), path)


def _read(tree: Tree) -> RailsPrefixes:
    every = [p for p in tree.paths() if p.endswith(".rb")]
    paths = [p for p in every if _MODELS in p or _CONFIG.match(p) or _ENGINE.search(p)]
    models = [p for p in paths if _MODELS in p]
    if not models:
        return RailsPrefixes()
    roots = tuple(sorted({p[: p.index(_MODELS) + len(_MODELS)] for p in models}))
    application = Affixes()
    for path in read_ahead(tree, sorted(p for p in paths if _CONFIG.match(p))):
        text = tree.read(path) or ""
        if "table_name_" in text:
            application = _affixes(text, _APPLICATION, application)
    folders = {p.rpartition("/")[0] for p in models}
    declared = _isolated(tree, [p for p in paths if _ENGINE.search(p)], roots, folders)
    # namespace modules: `app/models/billing.rb` beside `app/models/billing/`, or an engine's
    # `lib/billing.rb` (its own prefix wins over the one `isolate_namespace` gives)
    namespaces = {
        f"{root}{folder[len(root) :]}.rb"
        if where == "models"
        else f"{root[: -len(_MODELS)]}lib/{folder[len(root) :]}.rb": folder
        for root in roots
        for folder in folders
        if folder.startswith(root) and "/" not in folder[len(root) :] and folder != root.rstrip("/")
        for where in ("models", "lib")
    }
    present = set(every) & set(namespaces)
    read_ahead(tree, sorted(present))
    for path, folder in sorted(namespaces.items()):
        source = tree.read(path) if path in present else None
        if source and "table_name_" in source:
            affixes = _affixes(source, _DECLARED, Affixes())
            if affixes != Affixes():
                declared[folder] = affixes
    namespaced = []
    owned = [
        p for p in sorted(models) if _innermost(p, declared) is not None and p[: -len(".rb")] not in folders
    ]
    for path in read_ahead(tree, owned):  # one git process for the models a namespace prefixes
        owner = _innermost(path, declared)
        if owner is None or _OWN_TABLE.search(tree.read(path) or ""):
            continue
        name = path.rpartition("/")[2][: -len(".rb")]
        namespaced.append(
            Prefixed(declared[owner].around(pluralize(name)), camelize(singularize(name)), path)
        )
    return RailsPrefixes(application, tuple(namespaced), roots)


def _isolated(
    tree: Tree, engines: list[str], roots: tuple[str, ...], folders: set[str]
) -> dict[str, Affixes]:
    """The prefix `isolate_namespace Spree` gives the models of an engine's namespace: `spree_`, the
    namespace's name in snake case (`SolidusPromotions` → `solidus_promotions_`), for each models folder of
    that name."""
    found: dict[str, Affixes] = {}
    for path in sorted(engines):
        match = _ISOLATE.search(tree.read(path) or "")
        if match is None:
            continue
        folder = underscore(match.group(1).replace("::", "/"))
        for root in roots:
            if f"{root}{folder}" in folders:
                found[f"{root}{folder}"] = Affixes(folder.replace("/", "_") + "_")
    return found


def _innermost(path: str, declared: dict[str, Affixes]) -> str | None:
    """The innermost namespace folder above `path` that declares affixes."""
    folder = path.rpartition("/")[0]
    while _MODELS in folder + "/" and not (folder + "/").endswith(_MODELS):
        if folder in declared:
            return folder
        folder = folder.rpartition("/")[0]
    return None


def _affixes(text: str, patterns: dict[str, re.Pattern[str]], start: Affixes) -> Affixes:
    values: dict[str, str | None] = {}
    for kind, pattern in patterns.items():
        match = pattern.search(text)
        values[kind] = next((g for g in match.groups() if g is not None), None) if match is not None else None
    prefix, suffix = values["prefix"], values["suffix"]
    return Affixes(
        prefix if prefix is not None else start.prefix, suffix if suffix is not None else start.suffix
    )
