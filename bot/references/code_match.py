"""One file's text against every identifier of a search: which tokens are real uses, and how sure.

A token counts when it is the identifier itself or an ORM spelling of it (`legacy_status_changed?`,
`find_by_legacy_status`, `legacy_status__in`, `getLegacyStatus`). Confidence is high when the region
of the file ties the use to the target's table (a qualifier, a SQL statement, a mention of the table or
its model nearby) and low when the region is about another table, or the line is a comment.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate, pairwise
from typing import NamedTuple

from bot.model.catalog import same_table
from bot.references import ecto_prefix
from bot.references.api_documents import api_document, described, nested_properties
from bot.references.brackets import closing_bracket
from bot.references.code_access import FLAG_HINTS, flag_guard, is_write
from bot.references.code_areas import JOB_HINTS, MODEL_HINTS, FileArea, classify, file_area, is_comment
from bot.references.code_sql import Schema, literal_at, multiline_delimiters, parsed
from bot.references.code_sql import names as sql_names
from bot.references.code_text import (
    NOT_ROWS,
    SQL_STATEMENT,
    block_headers,
    in_prose,
    is_object_key,
    lookup_receiver,
    not_code,
    python_class_constant,
    python_local,
)
from bot.references.code_tokens import SQL_TABLE, accepts, names_table, qualifier, token_at
from bot.references.codesyntax.text import line_matches
from bot.references.haml_text import haml_text
from bot.references.inflection import camelize, singularize, underscore
from bot.references.model_map import MAPPING_WORDS, Mapped, TableModels, mappings_in
from bot.references.naming_settings import DEFAULT as DEFAULT_NAMING
from bot.references.naming_settings import WORDS as NAMING_WORDS
from bot.references.naming_settings import NamingSettings, settings_in
from bot.references.python_types import python_annotated_otherwise
from bot.references.ruby_locals import erb_local, ruby_local
from bot.references.ruby_members import continued, receivers
from bot.references.script_members import ScriptShape, declared_otherwise, delegate_of, typed_as
from bot.references.script_members import callee as callee_chain
from bot.references.script_names import SCRIPT_FILES, module_path, props_member, props_types, script_local
from bot.references.script_requests import reaches_query, request_source, response_key
from bot.references.script_strings import chain_member, form_or_url_name
from bot.references.sql_builders import built
from bot.references.sql_pieces import joined
from bot.references.usage import UPSERT_WORDS, Target, Use, go_field, spellings
from bot.sql.pg_columns import Tables

_CHANGES_SCHEMA = re.compile(
    r"\bALTER\s+TABLE\b[^;]*\b(?:DROP|RENAME)\b|\bDROP\s+(?:TABLE|VIEW)\s+IF\s+EXISTS\b", re.I
)
_SQL_HINTS = frozenset(("FROM", "JOIN", "UPDATE", "INTO", "TABLE", "select ", "join ", "update ", "into "))
_SEQUELIZE_QUERIES = ("findAll", "findOne", "findByPk", "findAndCountAll", "bulkCreate", "destroy")
_ORM_HINTS = frozenset(
    (".where", ".find", ".all", ".objects", ".query", ".select", ".joins", ".create")
) | frozenset(f".{method}" for method in _SEQUELIZE_QUERIES)
# the name at a place (compiled once: asked of every place)
_SCRIPT_NAME, _SCRIPT_WORD, _WORD = re.compile(r"[\w$]*"), re.compile(r"[\w$]+"), re.compile(r"\w+")
_LINE_MAX = 600  # characters of a line looked at around a token
_SPAN_MAX = 3000  # characters of context looked at on each side of a line
_SQL_WORDS = frozenset({"select", "where", "set", "only", "if", "lateral", "the", "a"})
_ORM_RECEIVER = re.compile(
    r"\b([A-Z]\w+)(?:\.|::)(?:where|find|find_by|find_each|all|objects|query|select|joins|create|"
    + "|".join(_SEQUELIZE_QUERIES)
    + r")\b"
)
# The words one of which every match of a pattern holds, looked for in a window before the pattern is (that
# starts with `\b` and an alternation, so `re` tries it at every character of the window): the windows of
# most places hold none.
_NEEDS = {
    SQL_TABLE: ("FROM", "JOIN", "UPDATE", "INTO", "TABLE", "select", "delete", "insert", "join", "update"),
    _ORM_RECEIVER: (
        "where",
        "find",
        "all",
        "objects",
        "query",
        "select",
        "joins",
        "create",
        "bulkCreate",
        "destroy",
    ),
}
# The column named in a query method's string argument: `where("legacy_status = ?")`, `order("position")`.
_QUERY_ARGUMENT = re.compile(
    r"\b(?:where|not|rewhere|order|reorder|pluck|select|group|having|update_all|order_by|values|values_list"
    r"|only|defer|filter|exclude|annotate|distinct|sum|average|minimum|maximum)\(\s*[\"'`]$"
)
# Query methods whose keyword arguments are columns of the model queried (`.update(title=title)`)
_QUERY_METHODS = frozenset(
    {"filter", "exclude", "get", "create", "update", "get_or_create", "update_or_create", "annotate"}
    | {"where", "find_by", "find_or_create_by", "create_or_find_by", "new", "build", "update_all"}
    | {"first_or_create", "find_or_initialize_by", "update_columns", "filter_by", "values"}
)
_DESTRUCTURED = re.compile(r"[^{}]*\}\s*(?::[^=]*)?=(?![=>])")
_DESTRUCTURED_FROM = re.compile(r"[^{}]*\}\s*(?::[^=]*)?=\s*([\w$]+)\s*;?\s*$")
_KEYWORD_ARGUMENT = re.compile(r"\w+\s*=(?![=>])")
_CLASS_DEF = re.compile(
    r"^[ \t]*(?:(?:export|public|private|protected|abstract|final|default|data|sealed|open)[ \t]+)*"
    r"(?:class|module|model|interface|defmodule)[ \t]+(?:[A-Z]\w*\.)*([A-Z]\w*)|^type[ \t]+([A-Z]\w*)[ \t]+struct",
    re.M,
)
_CLASS_WORD = re.compile(r"(?:class|module|model|interface|type)[ \t]")  # what a `_CLASS_DEF` line holds
_NAMED_AFTER_MODEL = re.compile(
    r"(Serializer|Policy|Decorator|Presenter|Resource|Type|Form|Factory|Admin|Schema|Entity|Dto|Controller)$"
)
# The create methods of a client's delegate or a store (Prisma's `create`, `createMany`, `createManyAndReturn`,
# TypeORM's `createQueryBuilder`), not the browser's `document.createElement(` or `createTextNode(`
_CREATE = r"create(?:Many\w*|One|QueryBuilder)?"
# A Prisma client (or similar) call on a model's delegate: `prisma.documentMeta.findFirst(`.
_DELEGATE = re.compile(
    rf"\.(\w+)\.(?:find\w*|{_CREATE}|update\w*|upsert|delete\w*|count|aggregate|groupBy|insert\w*|select)\("
)
# After a model's delegate: a query method of Prisma's client (`.findMany(`, `.create(`, `.$transaction` not)
# a JVM or .NET class mapped to a table: its fields are columns, whatever their type
_ENTITY = re.compile(r"@(?:Entity|Table|Embeddable|MappedSuperclass)\b|\[Table\(")
# a field declaration (`private Long actionStatusId;`): a class's member, which may be mapped, not a local
_FIELD = re.compile(r"[ \t]*(?:@\w+(?:\([^)]*\))?\s+)*(?:private|protected|public|internal)\b")
# the call or the key a string is given to (`chalkTask(`, `deleteWhat:`, `label=`), and those that take a table
_CALLED = re.compile(r"([\w$]+)\s*(?:<[^<>()]*>)?\(\s*$")
_KEYED = re.compile(r"([\w$]+)\s*[:=]\s*\{?\s*$")
_BUILDER_CALLS = frozenset(
    """selectFrom insertInto updateTable deleteFrom replaceInto mergeInto from into table join innerJoin
    leftJoin rightJoin fullJoin crossJoin with withRecursive raw sql ref knex db query queryRaw executeRaw
    getRepository getTableName model define""".split()  # noqa: SIM905
)
_TABLE_KEYS = frozenset(
    ("table", "tableName", "from", "into", "model", "modelName", "relation", "entity", "target")
)
_URLCONF = re.compile(r"(?:^|/)urls(?:\.py|/[^/]+\.py)$")  # a Django URLconf module or package
_RELATED_NAME = re.compile(r"\brelated(?:_query)?_name\s*=\s*$")  # a Django relation's reverse name
_NAME_KEYWORD = re.compile(r"\bname\s*=\s*$")  # a string given as `name=` ends right before it
_DELEGATE_CALL = re.compile(
    rf"\s*\??\.\s*(?:find\w*|{_CREATE}|update\w*|upsert|delete\w*|count|aggregate|groupBy)\s*(?:<[^()]*>)?\("
)
# Rust: the struct or Diesel `table!` entry a line is in, and a Diesel model's table
_RUST_BLOCK = re.compile(
    r"^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?struct[ \t]+(?P<struct>\w+)"
    r"|^[ \t]*(?:\w+\.)?(?P<table>\w+)[ \t]*\([\w, ]*\)[ \t]*\{"
    r"|^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?(?:async[ \t]+|const[ \t]+|unsafe[ \t]+)*(?P<other>impl|fn|enum|trait|mod)\b",
    re.M,
)
_ELIXIR_FILES = (".ex", ".exs", ".heex", ".eex", ".leex")
# An atom that names a table in Elixir: `table(:orders)`, `create index(:orders, …)` outside the migrations.
# Names the markup gives its own parts: a Stimulus controller's `static targets = ['markers', …]` (or classes,
# outlets), and an element's `data-…` attribute (`data-map-target="markers"`)
_STIMULUS_STATIC = re.compile(r"\bstatic\s+(?:targets|classes|outlets)\s*=\s*\[[^\]]*[\"'`]$")
_DATA_ATTRIBUTE = re.compile(r"\bdata-[\w-]+\s*=\s*[\"'][\w\s-]*$")
_MARKUP_FILES = (".erb", ".haml", ".slim", ".html", ".vue", ".svelte", ".jsx", ".tsx")


def _markup_name(path: str, line: str, col: int) -> bool:
    """Is the word at `col` a name markup gives one of its own parts, rather than a table?"""
    if path.endswith(SCRIPT_FILES) and _STIMULUS_STATIC.search(line, 0, col):
        return True
    return path.endswith(_MARKUP_FILES) and _DATA_ATTRIBUTE.search(line, 0, col) is not None


# The class an association names (`class_name: "Spree::PromotionAction"`), up to the word at hand
# `belongs_to :model, polymorphic: true`, `has_many :tags`: the association's name, up to its symbol's colon
_RUBY_ASSOCIATION_NAME = re.compile(
    r"^[ \t]*(?:belongs_to|has_one|has_many|has_and_belongs_to_many)[ \t(]+:$"
)
_RUBY_CLASS_NAME = re.compile(r"(?:\bclass_name:|:class_name\s*=>)\s*[\"'](?:\w+::)*$")
_ECTO_TABLE_ATOM = re.compile(r"\b(?:table|index|unique_index|constraint)\(\s*:$")
_RUST_PATH = re.compile(r"(\w+)::$")  # `post_tag::` before a column: the table's module
# Before a table's name in Rust: a type's path (an enum's variant, an associated function) or a function's
# declaration; Diesel names a table by its module (`admin_add::table`, `schema::admin_add`).
_RUST_ITEM = re.compile(r"(?:\b[A-Z]\w*::|\bfn\s+)$")
# `= await db.$queryRaw<Row[]>\`` up to the backtick that opens the query's SQL
_RAW_QUERY = re.compile(r"[^=\n]*=\s*(?:await\s+)?[\w$.]*?(?:\$queryRaw(?:Unsafe)?|\bsql)\b[^`;\n]*`")
_ALIAS_BEFORE = re.compile(r"\b[Aa][Ss]\s+\"?$")
_PY_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+$")
_RUBY_DEF = re.compile(r"^[ \t]*def[ \t]+(?:self\.)?$")
_RUST_MOD = re.compile(r"^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?mod[ \t]+\w+[ \t]*;")
_RUST_VARIANT = re.compile(r"\w+\s*(?:[,({=]|$)")
_RUST_ENUM = re.compile(r"\benum\s+\w+(?:<[^>]*>)?\s*\{$")
_DIESEL_DERIVE = re.compile(
    r"\b(?:Queryable|Insertable|AsChangeset|Selectable|Identifiable|QueryableByName)\b"
)
_DIESEL_TABLE = re.compile(r"table_name\s*=\s*\"?(?:\w+::)*(\w+)")
_MEMBER = re.compile(r"\??\.[A-Za-z_]\w*")  # `.member` right after a name
# A key of a type literal that an intersection adds to another type (`User & { avatar: string }`: the
# code gives its objects a member of its own), and a type that only a type literal gives a key (`string`,
# `number`; `null` and `undefined` are values an object may set too). A type of its own (`type Meta = {
# customText?: string }`) still declares the field.
# A class's constant whose value is one word: `with_consent = "with_consent"` of an enum
_WORD_CONSTANT = re.compile(r"\s*\w+\s*(?::[^=]+)?=\s*[rbuRBU]?([\"'])[\w.-]*\1\s*(?:#.*)?$")
# Prisma's nested operations on a relation, and a query's own arguments (a key above them is a relation)
_NESTED_OPERATIONS = frozenset(
    (
        *("create", "createMany", "connectOrCreate", "update", "updateMany", "upsert", "select", "include"),
        *("some", "every", "none", "is", "isNot"),  # a relation filter: `memberships: { some: { role } }`
    )
)
_QUERY_ARGUMENTS = frozenset(("data", "where", "select", "include", "create", "update", "orderBy", "_count"))
# An object type written inline, its members separated by semicolons: `{ id: string; ` before a member
_INLINE_TYPE_KEY = re.compile(r"\{(?:\s*[\w$]+\??\s*:\s*[^;{}=()]+;)+\s*$")
_TYPE_LITERAL_KEY = re.compile(r"&\s*\{(?:[^{}]*[;,])?\s*$")
# A list, map or call of options a variable is given (`jwt_opts = [`, `options = {`, `opts = dict(`): its keys
# name settings of whatever the options are passed to, not columns
_OPTIONS_OPENED = re.compile(
    r"(?<![\w.])(?:[A-Za-z]\w*_)?(?:opts|options|config|settings|headers)\s*=\s*(?:dict\s*\(|%?\{|\[)$", re.I
)
_KEY_AFTER = re.compile(r"\s*(?::(?!:)|=(?![=>~]))")
_PRIMITIVE_TYPE = re.compile(
    r"\??\s*:\s*(?:string|number|boolean|bigint|Date|unknown|any|never|object)\b(?:\s*\[\])?\s*(?:[;,}|&)\]]|$)"
)
# In a Prisma schema: the list of a relation's `references: [id, code]`, open up to a name, and the
# type of the field a line declares (`author User? @relation(…)`), the model those references belong to.
_PRISMA_REFERENCES = re.compile(r"\breferences\s*:\s*\[[^\]]*$")
_PRISMA_FIELD = re.compile(r"\s*\w+\s+(\w+)")
_PRISMA_TABLE_MAP = re.compile(r'^[ \t]*@@map\(\s*(?:name:\s*)?"([^"]+)"', re.M)
_QUOTED = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")  # string literals of a line, for words of prose in them
_TRIPLE_QUOTES = re.compile(r'"""|\'\'\'')
_DOCSTRING_FILES = (".py", ".graphql", ".gql")
_DECLARED_FOR = re.compile(r"^[ \t]*model\s*[=:]\s*([A-Z]\w*)", re.M)  # serializer/form/admin Meta.model
# A call that writes a message to a log or the console: the strings given to it are text for people
# (`info!("… {}", "post_aggregates", n)`, `logger.warning("legacy_status unset")`), not a use.
_LOG_CALL = re.compile(
    r"(?:(?<![\w$.])(?:\w+::)?(?:info|warn|debug|error|trace|println|eprintln|print|eprint|log)!"
    r"|(?<![\w$])(?:log|logger|_logger|logging|LOG|LOGGER|Log|Logger|console|tracing|slog)"
    r"\s*(?:\.|::)\s*(?:info|warn|warning|debug|error|trace|fatal|critical|exception|notice|log|print"
    r"|Info|Warn|Warning|Debug|Error|Trace|Fatal|Print)\w*"
    r"|(?<![\w$.])(?:print|puts)"
    # an error's message: `new ResourceNotFoundError("Action", id)`, `raise ValueError("…")`
    r"|\bnew\s+(?:[\w$]+\.)*[\w$]*(?:Error|Exception)|\braise\s+(?:\w+\.)*\w*(?:Error|Exception))\s*\($"
)
# A string given as a JSX attribute's value (`deleteWhat={"Action"}`, `label="Action"`): a prop's text.
# Rails: a parameter read from the request (`params[:nearby]`, `@params["nearby"]`, `params.dig(:q, :nearby)`,
# `params.fetch(:nearby)`); `params.permit(:nearby)` feeds a model's write and stays a use.
_REQUEST_PARAMETER = re.compile(
    r"(?<![\w.])@?params\s*(?:\[\s*[:\"']|\.(?:dig|fetch|key\?|has_key\?)\(\s*(?:[:\"'][\w\"']*\s*,\s*)*[:\"'])$"
)
# a key of the parameters a Rails test sends: `get :index, :params => { :nearby => true }`, `post path, params: {`
_REQUEST_PARAMS_HASH = re.compile(
    r"\b(?:get|post|put|patch|delete|head)\b[^\n]*?(?::params\s*=>|\bparams:)\s*\{[^{}]*$"
)
_JSX_VALUE = re.compile(r"(?<![=!<>])\b[\w-]+=\{?\s*$")
# `exclude = (…)` of a Django admin or form (`ModelAdmin.exclude`, `ModelForm.Meta.exclude`,
# `modelform_factory(…, exclude=[…])`): Django leaves out the names listed and ignores one the model does not
# have, so the name is no use. Django REST framework's `Meta.exclude` asserts that each name is a model
# field: in a serializer the name stays a use.
_EXCLUDE_LIST = re.compile(r"\bexclude\s*=\s*[(\[]$")
# The keys given to lodash's `omit` / `pick` (`omit(account, ['isExcluded', 'tags'])`): names of an object
# in memory, copied or left out, never a query's column.
_KEYS_OF_OBJECT = re.compile(r"(?<![\w$])(?:_\.|lodash\.)?(?:omit|pick|omitBy|pickBy)\s*\([^()]*\[$")
# A column declared in a model class (`type = Column(String)`, `title = models.CharField(…)`,
# `state: Mapped[str] = mapped_column()`, a pydantic `Field(…)`): the column of that class's own table.
_COLUMN_DECLARATION = re.compile(
    r"^[ \t]+(\w+)\s*(?::[^=\n]*)?=\s*(?:\w+\.)*(?:Column|mapped_column|\w*Field|relationship)\("
)
_SERIALIZER_CLASS = re.compile(r"Serializer\b")
# `row.field = value;` as a statement of script code: the object's field in memory. Only an ORM that saves
# the object (`.save(`, `persist`, `flush`, `insert(row)`) writes it; a file with none of them writes no
# row that way.
_MEMBER_ASSIGNED = re.compile(r"^[ \t]*(?:this\.)?[\w$]+(?:\??\.[\w$]+)*\??\.$")
_ASSIGNS = re.compile(r"[ \t]*(?:\?\?|\|\||&&)?=(?![=>])")
_SAVES = re.compile(
    r"\.(?:save|saveAll|persist|persistAndFlush|flush|\$save)\w*\(|\.(?:insert|upsert)\(\s*\[?\s*[\w$]"
)  # `repository.insert(order)` writes the object; Prisma's `.upsert({ where, create, update })` is a query
# A search engine's index settings (Meilisearch, Algolia): the attributes the index searches, filters,
# sorts or returns, given as a list (`filterableAttributes: ['earlyAccessDeadline']`,
# `index.updateSortableAttributes([…])`, `"attributesForFaceting": […]`, `SEARCHABLE_ATTRIBUTES = […]`).
# They name fields of the index's documents, which code builds from rows elsewhere: an attribute no document
# has any more is left empty, nothing fails.
_SEARCH_INDEX_LIST = re.compile(
    r"(?i)(?:(?:searchable|filterable|sortable|displayed|distinct|faceting|facetable|unretrievable)_?attributes"
    r"|attributes_?(?:for_?faceting|to_?(?:retrieve|highlight|snippet|crop|search_?on))|custom_?ranking"
    r"|ranking_?rules)[\"']?\s*(?:[:=]\s*(?:\[\s*\.\.\.\s*)?|\(\s*)[\[(]$"
)
_PY_CLASS_LINE = re.compile(r"^class\s", re.M)
_CREATES_TABLE = re.compile(r"^\s*CREATE\s+(?:(?:UNLOGGED|TEMP|TEMPORARY)\s+)?TABLE\b", re.I | re.M)
_DEFINITION_STATEMENT = re.compile(
    r"(?:\s+|--[^\n]*\n)*(?:CREATE\s+(?:(?:UNLOGGED|TEMP|TEMPORARY)\s+)?TABLE|CREATE\s+(?:UNIQUE\s+)?INDEX"
    r"|ALTER\s+(?:TABLE|SEQUENCE|TYPE)|COPY|COMMENT\s+ON|GRANT|REVOKE|SELECT\s+pg_catalog\.setval)\b",
    re.I,
)
# Files of data under a test's or fixtures' folder (Django's fixtures are read on their own, by model)
_RUBY_SHEBANG = re.compile(r"#![^\n]*\bruby\b")
_TEST_DATA_FILES = (".json", ".fjson", ".html", ".htm", ".xml", ".txt", ".svg")
# the constant a method chain that ends in a block's attribute starts from: `Ownership` of
# `Ownership.where(user: u).index_by(&:`
_RUBY_CHAIN_HEAD = re.compile(r"\b([A-Z]\w*)\s*\.\s*\w[^;]*\(\s*&:$")
_SAFE_LINE = (("ignored_columns", "ignored_columns"), ("@ignore", "prisma @ignore"))


@dataclass(frozen=True)
class Needle:
    word: str
    target: int  # index in Matcher.targets
    role: str  # name | new | model | table | singular (association to a table) | association (of a column)
    # | attribute (the name a model gives the column: `status String @map("legacy_status")`)


class Hit(NamedTuple):
    target: int  # index in Matcher.targets
    role: str
    use: Use
    names: frozenset[str] = frozenset()  # class-like names near a low-confidence use


# What a worker sends back for a hit: plain tuples pickle several times faster than dataclasses.
UseFields = tuple[str, int, str, str, str, str | None, str, str | None]
Packed = tuple[int, str, tuple[str, ...], UseFields]  # (target, role, names, Use fields)


def unpack(record: Packed) -> Hit:
    target, role, names, fields = record
    return Hit(target, role, Use(*fields), frozenset(names))


@dataclass(frozen=True)
class Matcher:
    targets: tuple[Target, ...]
    needles: Mapping[str, tuple[Needle, ...]]
    models: Mapping[str, TableModels]  # by table
    contested: frozenset[int] = frozenset()  # column targets whose name another table also has
    schema: Schema = field(default_factory=lambda: Schema({}, frozenset()))  # the schema before the change
    naming: NamingSettings = DEFAULT_NAMING  # the project's ORM naming settings
    shared: frozenset[int] = frozenset()  # table targets whose name another database's table also has
    # For the pass over the base texts of the changed files (None for the head's): the targets named by one
    # word (`status`, `title`). That pass only finds the uses the change deletes, which are never judged
    # again (see search's `_deleted`): a low-confidence use of such a name, or of one another table shares,
    # is dropped there, and its judgement ends as soon as it is found to be low.
    removed_only: frozenset[int] | None = None

    @cached_property
    def rows(self) -> dict[str, frozenset[str]]:
        """The names code gives a row of each table of the schema (`line_item`, `lineItem`, and `variant`
        for `spree_variants` when several tables share the `spree_` prefix), with their tables."""
        prefixes: dict[str, int] = {}
        for table in self.schema.tables:
            head, _, rest = table.partition("_")
            if rest:
                prefixes[head] = prefixes.get(head, 0) + 1
        found: dict[str, set[str]] = {}
        for table in self.schema.tables:
            head, _, rest = table.partition("_")
            names = {table, rest} if rest and prefixes.get(head, 0) >= 3 else {table}
            for name in names:
                single = singularize(name)
                for row in (single, camelize(single, upper=False)):
                    found.setdefault(row, set()).add(table)
        return {row: frozenset(tables) for row, tables in found.items()}

    @cached_property
    def upserts_only(self) -> frozenset[int]:
        """The targets looked for only in files that upsert (see `Target.upserts_only`)."""
        return frozenset(i for i, t in enumerate(self.targets) if t.upserts_only)

    def searched(self, go: bool, upserts: bool) -> Mapping[str, tuple[Needle, ...]]:
        """The needles of a file, by word: of Go or not (see `outside_go`), and without the targets looked
        for only where code upserts in a file that does not (`upserts`: it holds one of `UPSERT_WORDS`)."""
        if upserts or not self.upserts_only:
            return self.needles if go else self.outside_go
        return self._not_upserting[go]

    @cached_property
    def _not_upserting(self) -> dict[bool, dict[str, tuple[Needle, ...]]]:
        found: dict[bool, dict[str, tuple[Needle, ...]]] = {}
        for go, needles in ((True, self.needles), (False, self.outside_go)):
            kept = {w: tuple(n for n in ns if n.target not in self.upserts_only) for w, ns in needles.items()}
            found[go] = {word: needles for word, needles in kept.items() if needles}
        return found

    @cached_property
    def outside_go(self) -> dict[str, tuple[Needle, ...]]:
        """The needles outside Go files, by word: all but a one-word column's Go field name (`Age` for
        `age`: see `go_field`), which elsewhere is a class or a constant of the code."""
        kept = {
            word: tuple(n for n in needles if not self._go_field(n)) for word, needles in self.needles.items()
        }
        return {word: needles for word, needles in kept.items() if needles}

    def _go_field(self, needle: Needle) -> bool:
        target = self.targets[needle.target]
        name = (target.new_name or "") if needle.role == "new" else target.name
        return needle.word != name and needle.word == go_field(name)

    @property
    def hint_words(self) -> frozenset[str]:
        """Words whose presence in a file the search reports along with the needles (never alone)."""
        anchors = {name for models in self.models.values() for name in models.names}
        upserts = UPSERT_WORDS if self.upserts_only else ()
        return frozenset(
            {
                *FLAG_HINTS,
                *JOB_HINTS,
                *MODEL_HINTS,
                *_SQL_HINTS,
                *_ORM_HINTS,
                *MAPPING_WORDS,
                *anchors,
                *upserts,
            }
        )

    def handle(
        self, path: str, text: str, occurrences: list[tuple[int, str]]
    ) -> list[Packed | Mapped | NamingSettings]:
        present = frozenset(word for _, word in occurrences)
        found: list[Packed | Mapped | NamingSettings] = []
        if not present.isdisjoint(NAMING_WORDS):
            settings = settings_in(path, text)
            found += [settings] if settings is not None else []
        if not present.isdisjoint(MAPPING_WORDS):
            found += mappings_in(path, text, self.models, self.naming)
        scan = _FileScan(self, path, text, present)
        needles = scan.searched
        tokens: dict[tuple[int, int], set[str]] = {}
        done = (0, 0)
        for pos, word in sorted(occurrences):
            if word not in needles:
                continue
            if pos >= done[1]:
                done = token_at(text, pos, pos + len(word))
            tokens.setdefault(done, set()).add(word)
        for (start, end), words in tokens.items():
            found.extend(scan.hits(start, end, words))
        return found


class _Region(NamedTuple):
    sql_tables: frozenset[str]  # tables SQL around the line names
    cls: str  # the class the line is in
    declared: frozenset[str]  # models that class declares it is for (`model = Product`)
    receivers: frozenset[str]  # classes queried around the line (`Product.objects`, `Order.where`)
    delegates: frozenset[str]  # client delegates queried around the line (`prisma.documentMeta.findFirst`)


class _FileScan:
    """The lazily computed facts about one file that every hit in it shares."""

    def __init__(self, matcher: Matcher, path: str, text: str, present: frozenset[str]) -> None:
        self.m, self.path, self.text, self.present = matcher, path, text, present
        # the file's language, asked for every word found in it
        self.python, self.script = path.endswith(".py"), path.endswith(SCRIPT_FILES)
        self.rust, self.prisma = path.endswith(".rs"), path.endswith(".prisma")
        self._locals: dict[str, bool] = {}
        self._area: FileArea | None = None
        self._flags: bool | None = None
        self._classes: list[tuple[int, str]] | None = None
        self._starts: list[int] | None = None  # offset of each line
        self.seen: set[tuple[int, int, str]] = set()
        self._regions: dict[int, _Region] = {}
        self._quotes: list[int] | None = None  # offsets of the triple quotes of the file
        self._delimiters: list[int] | None = None  # offsets of multi-line string delimiters
        self._sql: dict[int, Tables | None] = {}
        self._statements: dict[int, Tables | None] = {}  # the same, by the start of each literal
        self._headers: list[tuple[int, int, bool]] | None = (
            None  # the SQL statement of each string literal, by its start
        )
        self.line_no, self.last = 1, 0
        self._shape: ScriptShape | None = None
        self._literals: dict[int, tuple[int, str] | None] = {}  # by position: asked several times a hit
        self._typed: dict[tuple[str, str], bool] = {}  # (variable, table): declared as one of its rows
        self._aliases: dict[tuple[str, str], bool] = {}  # (row, name): the name is an alias of its query
        self._instance_attributes: dict[str, bool] = {}  # name: set on `self` in another class's `__init__`
        self._creates_tables: bool | None = None  # a `.sql` file with CREATE TABLE: a schema definition
        self._judged: dict[tuple[Needle, int], tuple[str, frozenset[str]]] = {}  # see `_unlisted`
        # by line (its start and length): its text without string literals, and the ORM queries on it
        self._lines: dict[tuple[int, int], tuple[str, frozenset[str]]] = {}

    @cached_property
    def searched(self) -> Mapping[str, tuple[Needle, ...]]:
        """The needles looked for in this file, by word (see `Matcher.searched`)."""
        return self.m.searched(self.go, not self.present.isdisjoint(UPSERT_WORDS))

    @cached_property
    def nested_properties(self) -> frozenset[int]:
        """The lines of an OpenAPI or JSON Schema document whose key is a nested object's property."""
        return nested_properties(self.text)

    @cached_property
    def go(self) -> bool:
        return self.path.endswith(".go")

    def _go_struct(self, line_start: int) -> str:
        """The Go struct whose fields the line declares (`type Person struct {` above it and not yet
        closed); "" elsewhere."""
        header = _last(_GO_STRUCT, self.text, 0, line_start)
        if header is None or "\n}" in self.text[header.end() : line_start]:
            return ""
        return header.group(1)

    def _go_type_of(self, variable: str, pos: int) -> str:
        """The struct a Go variable holds, as the enclosing function declares it (a receiver or a parameter
        `a *Animal`, `p models.Person`) or assigns it (`p := &models.Person{`, `var p Person`); "" when
        unknown."""
        header = _last(_GO_FUNC, self.text, 0, pos)
        if header is None:
            return ""
        name = re.escape(variable)
        declared = re.compile(
            rf"(?:\b{name}\s+\*?(?:\[\]\*?)?|\b{name}\s*:?=\s*&?|\bvar\s+{name}\s+\*?)(?:\w+\.)?([A-Z]\w*)\b"
        )
        found = _last(declared, self.text, header.start(), pos)
        return found.group(1) if found is not None else ""

    @cached_property
    def ruby(self) -> bool:
        """Ruby code: a `.rb` or `.rake` file, or a script without an extension run by Ruby
        (`script/restore_version` starting `#!/usr/bin/env ruby`)."""
        if self.path.endswith((".rb", ".rake")):
            return True
        name = self.path.rpartition("/")[2]
        return "." not in name and _RUBY_SHEBANG.match(self.text) is not None

    def in_interpolation(self, pos: int, line: str, col: int) -> bool:
        """Is `pos` inside a Ruby string's `#{…}` or a JavaScript template literal's `${…}`, where code runs
        (`"#{name}-#{slug}"`, `` `${join(root, bucket, path)}?token=${token}` ``)?"""
        opened = line.rfind("${" if self.script else "#{", 0, col)
        return opened >= 0 and "}" not in line[opened:col]

    @property
    def area(self) -> FileArea:
        if self._area is None:
            self._area = file_area(self.path, self.text, self.present)
        return self._area

    @property
    def shape(self) -> ScriptShape:
        if self._shape is None:
            self._shape = ScriptShape(self.text)
        return self._shape

    @property
    def flags(self) -> bool:
        if self._flags is None:
            self._flags = not self.present.isdisjoint(FLAG_HINTS)
        return self._flags

    @property
    def headers(self) -> list[tuple[int, int, bool]]:
        """The `def` and `class` lines of a Python file, found once."""
        if self._headers is None:
            self._headers = block_headers(self.text)
        return self._headers

    def in_docstring(self, pos: int) -> bool:
        """Is `pos` inside a triple-quoted string of sentences (a Python docstring, a GraphQL description),
        rather than one that holds SQL?"""
        if self._quotes is None:
            wanted = self.path.endswith(_DOCSTRING_FILES)
            self._quotes = [m.start() for m in _TRIPLE_QUOTES.finditer(self.text)] if wanted else []
        i = bisect_right(self._quotes, pos)
        if i % 2 == 0:
            return False
        end = self._quotes[i] if i < len(self._quotes) else len(self.text)
        return not SQL_STATEMENT.search(self.text, self._quotes[i - 1], end)

    def _typed_local(self, word: str, at: int) -> bool:
        """Is `word` a parameter or local variable the file declares with a type (`long actionStatusId`,
        `final Long actionStatusId =`, Kotlin's `actionStatusId: Long`), outside an entity class, and `at` not
        in a string? Such a name is the method's own value: the entity's field, or SQL, reads the column."""
        if (
            not self.path.endswith((".java", ".kt", ".scala", ".cs", ".groovy"))
            or self.literal(at) is not None
        ):
            return False
        if word not in self._locals:
            entity = _ENTITY.search(self.text) is not None
            typed = re.compile(
                rf"(?<![\w.])(?:final\s+)?[A-Za-z_][\w.]*(?:<[^<>;=]*>)?(?:\[\])?\s+{re.escape(word)}\s*[,)=;:]"
                rf"|[(,]\s*(?:val\s+|var\s+)?{re.escape(word)}\s*:\s*[A-Z]"
            )
            declared = [m for m in typed.finditer(self.text) if not self._field(m.start())]
            self._locals[word] = not entity and bool(declared)
        return self._locals[word]

    def _field(self, pos: int) -> bool:
        """A class's field declared at `pos` (`private Long actionStatusId;`), not a parameter or a local."""
        before = self.text[self.text.rfind("\n", 0, pos) + 1 : pos]
        return "(" not in before and "," not in before and _FIELD.match(before) is not None

    def _in_other_join_table(self, at: int, table: str) -> bool:
        """Inside a JPA `@JoinTable(name = "…", joinColumns = …)` of another table than `table`: the join
        columns it names are that table's."""
        start = self.text.rfind("@JoinTable(", max(0, at - 1500), at)
        if start < 0:
            return False
        inside = self.text[start + len("@JoinTable") : at]
        if inside.count("(") <= inside.count(")"):
            return False  # the annotation closed before the name
        named = re.match(r"\(\s*name\s*=\s*\"([\w.]+)\"", inside)
        return named is not None and named.group(1).lower().rsplit(".", 1)[-1] != table.lower()

    def literal(self, pos: int) -> tuple[int, str] | None:
        """(start, content) of the string literal of code around `pos`, if it is in one."""
        if pos in self._literals:
            return self._literals[pos]
        if self._delimiters is None:
            self._delimiters = multiline_delimiters(self.path, self.text)
        found = self._literals[pos] = literal_at(self.path, self.text, pos, self._delimiters)
        return found

    def f_placeholder(self, pos: int, line: str, col: int) -> bool:
        """Is `pos` a name in a placeholder of a Python f-string (`f"{body}"`): code, not text?"""
        found = self.literal(pos)
        if found is None or "f" not in self.text[max(0, found[0] - 3) : found[0] - 1].lower():
            return False
        return re.search(r"\{[^{}]*$", line[:col]) is not None

    def sql_at(self, pos: int) -> Tables | None:
        """The SQL statement of the string literal around `pos`, when it is one PostgreSQL parses."""
        found = self.literal(pos)
        if found is None:
            return None
        if found[0] not in self._statements:  # asked for every target a word of the literal may belong to
            start, content = built(self.path, self.text, found[0]) or joined(self.path, self.text, *found)
            if start not in self._sql:
                self._sql[start] = parsed(content)
            self._statements[found[0]] = self._sql[start]
        return self._statements[found[0]]

    def sql_access(self, needle: Needle, target: Target, pos: int) -> str | None:
        """For a use inside a SQL string: "read" or "write" when the statement really names the target,
        "" when it does not (the word is a constant, an alias, another table's column), None when the
        string is not a SQL statement that parses."""
        if needle.role not in ("name", "new", "table") or target.kind not in ("column", "table"):
            return None
        sql = self.sql_at(pos)
        if sql is None:
            return None
        if target.kind == "table":
            return sql_names(sql, target.table, "", self.m.schema.has)
        column = (target.new_name or "") if needle.role == "new" else target.name
        schema = self.m.schema

        def has(table: str, name: str) -> bool | None:
            same = table.lower().rpartition(".")[2] == target.table.lower().rpartition(".")[2]
            return True if same and name.lower() == column.lower() else schema.has(table, name)

        return sql_names(sql, target.table, column, has)

    def enclosing_class(self, pos: int) -> str:
        """The last class (model, struct, interface) defined before `pos`."""
        return self.enclosing(pos)[0]

    def enclosing(self, pos: int) -> tuple[str, int]:
        """The last class (model, struct, interface) defined before `pos`, and where it starts."""
        if self._classes is None:
            # each definition is on a line of its own, with its keyword: only the lines that hold one are tried
            found = (
                (m.start(), m.group(1) or m.group(2))
                for m in line_matches(self.text, _CLASS_DEF, _CLASS_WORD)
            )
            self._classes = [(start, name) for start, name in found if name not in ("Meta", "Config")]
        i = bisect_right(self._classes, (pos, "")) - 1
        return (self._classes[i][1], self._classes[i][0]) if i >= 0 else ("", 0)

    def found(
        self, pattern: re.Pattern[str], start: int, end: int, hints: frozenset[str] = frozenset()
    ) -> list[str]:
        """The matches (first group, or whole) of `pattern` that start within text[start:end].

        `hints`: words one of which every match contains, to skip files that have none.
        """
        if hints and self.present.isdisjoint(hints):
            return []
        needs = _NEEDS.get(pattern)
        if needs is not None and not any(self.text.find(word, start, end) >= 0 for word in needs):
            return []
        return [m.group(m.lastindex or 0) for m in pattern.finditer(self.text, start, end)]

    def span(self, line_start: int, before: int, after: int) -> tuple[int, int]:
        """From `before` lines above the line at `line_start` to the end of `after` lines below it."""
        if self._starts is None:
            lengths = (len(line) + 1 for line in self.text.split("\n"))
            self._starts = list(accumulate(lengths, initial=0))[:-1]
        starts = self._starts
        i = bisect_right(starts, line_start) - 1
        start = starts[max(0, i - before)] if before else line_start
        below = i + after + 1
        end = starts[below] - 1 if below < len(starts) else len(self.text)
        return max(start, line_start - _SPAN_MAX), min(end, line_start + _SPAN_MAX)

    def hits(self, start: int, end: int, words: set[str]) -> list[Packed]:
        token = self.text[start:end]
        searched = self.searched
        needles = [n for word in sorted(words) for n in searched[word] if accepts(token, n.word, n.role)]
        if not needles:
            return []
        self.line_no += self.text.count("\n", self.last, start)
        self.last = start
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", start)
        line_end = len(self.text) if line_end < 0 else line_end
        if line_end - line_start > _LINE_MAX:  # minified or generated: look only around the token
            line_start = max(line_start, start - _LINE_MAX // 2)
            line_end = min(line_end, end + _LINE_MAX // 2)
        line = self.text[line_start:line_end]
        col, end = start - line_start, end - line_start
        out = []
        # what the place alone decides, once for each role and kind of target (a column's name is a needle
        # of every table that has such a column)
        places: dict[tuple[str, str], bool] = {}
        for needle in needles:
            key = (needle.target, self.line_no, "new" if needle.role == "new" else "old")
            if key in self.seen:
                continue
            kind = self.m.targets[needle.target].kind
            place = (needle.role, kind)
            if place not in places:
                places[place] = self._place_rejected(needle.role, kind, line, line_start, col, end)
            if places[place]:
                continue
            hit = self._hit(needle, line, line_start, col, end)
            if hit is not None:
                if hit[3][4] == "high":  # a low one does not hide a high one later on the line
                    self.seen.add(key)
                out.append(hit)
        return out

    def _place_rejected(self, role: str, kind: str, line: str, line_start: int, col: int, end: int) -> bool:
        """Is the word at line[col:end] no use of a target of this kind, whichever target it is, by the
        place alone (text, a file's path, an object's key, a variable of the code)?"""
        if role in ("singular", "association") and classify(self.area, line) != "association":
            return True  # decided first: `trace`, `score` are words of most files (see `_hit`)
        if kind == "table" and role == "table" and _markup_name(self.path, line, col):
            return True  # `static targets = ['markers']`, `data-map-target="markers"`: a Stimulus target
        if (
            kind == "column"
            and role in ("name", "new")
            and self.ruby
            and _RUBY_ASSOCIATION_NAME.match(line[:col])
        ):
            return (
                True  # `belongs_to :model, polymorphic: true` reads `model_id` and `model_type`, not `model`
            )
        if role == "association" and self.ruby and _RUBY_CLASS_NAME.search(line, 0, col):
            return True  # `class_name: "Spree::PromotionAction"`: the associated class, not this association
        if not_code(self.path, line, col, end):
            return True
        if self.path.endswith(".haml") and haml_text(self.text, line_start, line, col):
            return True  # `%strong The Service is provided as is`: a template's text, for people
        if self.in_docstring(line_start + col):
            return True  # a docstring or a GraphQL description: sentences
        if kind in ("column", "table") and self.script and module_path(line, col):
            return True  # `import … from './global/init-bootstrap.provider'`: a file's path
        if api_document(self.path) and (
            described(line, col) or (kind == "column" and line_start in self.nested_properties)
        ):
            return True  # an OpenAPI `description:`, or `styling: properties: brandColor:`: an object's key
        if (
            kind in ("column", "table")
            and role in ("name", "new", "table")
            and line[col - 1 : col] == "$"
            and self.path.endswith(".php")
        ):
            return True  # `$genre`, `Genre $genre`, `"{$genre}"`: a PHP variable; a row's column is `->genre`
        if kind == "column" and self.script and form_or_url_name(line, col):
            return True  # `form.watch("brandColor.light")`, `searchParams.get("brandColor")`: not a row
        return (
            kind == "column"
            and role in ("name", "new")
            and self.script
            and (script_local(line, col, end) or props_member(self.text, self._props_types, line_start, line))
            and (self.literal(line_start + col) is None or self.in_interpolation(line_start + col, line, col))
        )  # `(shareId: string) =>`, `getSharedWebsite(shareId)`: a variable of the code

    def _hit(self, needle: Needle, line: str, line_start: int, col: int, end: int) -> Packed | None:
        """The use of the needle's target at line[col:end], where `_place_rejected` kept the place."""
        target = self.m.targets[needle.target]
        if self._unlisted(needle, target, line, line_start, col, end):
            return None
        if (
            target.kind == "table"
            and needle.role == "table"
            and self.path.endswith(_ELIXIR_FILES)
            and ecto_prefix.other_schema(line, col, self.text, line_start + col, target.table)
        ):
            return None  # `schema "tokens"` under `@schema_prefix "private"`: the table of another schema
        if target.kind == "column" and self.script and self._key_tested_elsewhere(target, line, col, end):
            return None  # `'itemId' in previewingEdge.from`: a key of another object
        if (
            self.prisma
            and target.kind == "column"
            and needle.role in ("name", "new")
            and self._prisma_other(target, line, col)
        ):
            return None  # `uid String @id`, `references: [id]` of a relation to another model
        if (
            self.prisma
            and target.kind == "column"
            and _PRISMA_REFERENCES.search(line[:col]) is None  # a relation's `references: […]`: the other's
            and self._prisma_model_of_other(target, line_start)
        ):
            return None  # `provider String` in `model Account { … @@map("account") }`: that table's column
        if (
            target.kind == "column"
            and needle.role in ("name", "new")
            and line[:col].endswith(".")
            and line[end : end + 1] == "("
            and self.path.endswith((".py", *SCRIPT_FILES))
            and self.literal(line_start + col) is None
        ):
            return None  # `log.error("…")`, `hashlib.md5(email)`: a method called; no ORM here calls a column
        rust = self.rust and target.kind == "column" and needle.role in ("name", "new")
        if rust and not self._rust_tied(target, line, col, line_start):
            return None  # Rust names a column through its table (`post_tag::tag_id`) or its model struct
        if self.rust and target.kind == "table" and line[:col].rstrip().endswith("."):
            return None  # `data.captcha_answer`: a struct's field; Diesel names a table by its module
        if (
            self.python
            and target.kind == "table"
            and line[:col].endswith(".")
            and qualifier(line, col) in ("self", "cls")
        ):
            return (
                None  # `self.search_query` of a view or form: the object's attribute, no Python ORM's table
            )
        if self.rust and target.kind == "table" and self._rust_own_name(line, line_start, col, end):
            return None  # `AdminAdd,` in `enum ModlogKind {`, `let mod_remove_post = …`: the code's own names
        if self.rust and target.kind == "table" and _RUST_ITEM.search(line, 0, col):
            return (
                None  # `ModlogKind::AdminAdd`, `ModlogInsertForm::admin_add(`, `fn admin_add(`: a type's own
            )
        named = needle.role in ("name", "new", "attribute")
        if (
            named
            and target.kind == "column"
            and (self.python or self.ruby)
            and needle.word[:1].isupper()
            and needle.word not in (target.name, target.new_name, target.spelling, target.new_spelling)
        ):
            # Akvo's `'PeriodActualValue'` of `__all__`, Solidus's `Spree::Calculator::DefaultTax`: a class; no
            # Python or Ruby ORM names a column so
            return None
        if (
            named
            and needle.target in self.m.contested
            and not qualifier(line, col)
            and not (self.rust and line[:col].endswith("::"))  # `post_report::reason.eq(`
            and _MEMBER.match(line, end)
        ):
            return None  # `documentId.formattedDocumentId`: a variable holding an object, not a column
        if (
            target.kind == "column"
            and named
            and self.script
            and self._query_alias(qualifier(line, col), needle.word)
        ):
            return None  # `pa."endsAt" AS "earlyAccessEndsAt"` gives `modelVersion.earlyAccessEndsAt`
        if (
            target.kind == "column"
            and named
            and self.script
            and line[end:].lstrip().startswith(":")
            and any(
                self._query_alias(m.group(1), needle.word)
                for m in re.compile(rf"([\w$]+)\??\.{re.escape(needle.word)}\b").finditer(line, end)
            )
        ):
            return None  # `earlyAccessEndsAt: modelVersion.earlyAccessEndsAt`: a key given the alias's value
        if target.kind == "column" and named and self._foreign(target, line, col, line_start):
            return None  # `response.status`, `enterprise.status` for invoices: another object's attribute
        if (
            target.kind == "column"
            and self.script
            and _TYPE_LITERAL_KEY.search(line, 0, col)
            and _PRIMITIVE_TYPE.match(line, end)
        ):
            return None  # `User & { avatar: string }`: a member of a type written inline, no value read
        if target.kind == "column" and self.script and _union_member(line, col, end):
            return None  # `'accountType' | 'createdAt'` on a line of `Omit<Account, …>`: a type's key
        if target.kind == "column" and named and self._api_name(target, line, line_start, col, end):
            return None  # `const { title } = req.body`, `res.json({ title: … })`: the API's field, no column
        if target.kind == "column" and named and self._option_key(line, col, end, line_start):
            return None  # `jwt_opts = [session_id: …]`: an option of the call it is passed to, no column
        if target.kind == "column" and named and self._cast_elsewhere(target, line_start + col):
            return None  # `const { imageUrl } = card as TSurveyQuestion`: a value of another type
        if target.kind == "column" and needle.role != "new" and is_object_key(line, col, end):
            return None  # `"created": order.created_at`: a key of a payload, not the column
        if (
            target.kind == "column"
            and needle.role == "name"
            and self._payload_key(target, line, col, end, line_start)
        ):
            return None  # `spec["subject"]`, `"subject" in spec`: a key of a request's or a service's dict
        if (
            needle.role == "name"
            and self.python
            and python_local(self.text, line_start, line, col, end, self.headers)
            and (self.literal(line_start + col) is None or self.f_placeholder(line_start + col, line, col))
        ):
            return None  # `gift_card, created = GiftCard.objects.get_or_create(…)`, `if created:`
        if (
            target.kind == "column"
            and needle.role == "name"
            and self.python
            and line[:col].endswith("self.")
            and self._own_instance_attribute(target, needle.word, line_start)
        ):
            return None  # `self._config["build"]` of a class that sets `self._config = {}` in `__init__`
        if (
            target.kind == "column"
            and named
            and self.python
            and self.literal(line_start + col) is not None
            and self._own_form_field(needle.word, line_start)
        ):
            return (
                None  # `FieldSet('site_id', …)` of a form that declares `site_id = …Field(`: the form's field
            )
        if (
            target.kind == "column"
            and named
            and self.python
            and line[:col].endswith("self.")
            and self._view_or_test_attribute(target, line_start)
        ):
            return None  # `self.page` of a view, a test case or a command: that object's own attribute
        if (
            needle.role == "name"
            and self.python
            and self._other_class_constant(target, line, line_start, col)
        ):
            return None  # `class IndexView: title = "Latest articles"`: that class's attribute
        if (
            target.kind == "column"
            and needle.role == "name"
            and self.ruby
            and not line[:col].endswith((".", ":", "@"))
            and not _keyed(line, end)
            and (self.literal(line_start + col) is None or self.in_interpolation(line_start + col, line, col))
            and ruby_local(self.text, line_start + col, needle.word)
        ):
            return None  # `def parse(raw_csv_str)`, `raw_csv_str = <<-ROWS`: the method's own variable
        if (
            target.kind == "column"
            and needle.role == "name"
            and self.path.endswith(".erb")
            and not line[:col].endswith((".", ":", "@"))
            and not _keyed(line, end)
            and erb_local(self.text, line_start + col, needle.word)
        ):
            return None  # `<% is_active = step_idx == idx %>`: a variable of the template
        if (
            target.kind == "column"
            and needle.role == "name"
            and (self.ruby or self.path.endswith((".erb", ".haml", ".slim", ".jbuilder")))
            and line[:col].endswith("@")
            and self.literal(line_start + col) is None
        ):
            return None  # `@mfa_recovery_codes.each`: an instance variable; Rails keeps no attribute in one
        if (
            target.kind == "column"
            and needle.role == "name"
            and (self.ruby or self.path.endswith((".erb", ".haml", ".slim")))
            and _request_parameter(line, col, end)
        ):
            return (
                None  # `auth_path(:openid_url => …)`, `text_field_tag("openid_url")`: a request's parameter
            )
        if self._logged(line_start + col):
            return None  # `info!("… {}", "post_aggregates", n)`, `new NotFoundError("Action")`: a message
        if (
            self.path.endswith((".jsx", ".tsx"))
            and line[col - 1 : col] in ("'", '"', "`")
            and _JSX_VALUE.search(line, 0, col - 1)
        ):
            return None  # `deleteWhat={"Action"}`: the text of a component's prop
        if (
            target.kind == "column"
            and self.path.endswith((".rb", ".rake"))
            and _RUBY_DEF.match(line[:col])
            and not (
                self.area.model and self.enclosing_class(line_start) in self.m.models[target.table].names
            )
        ):
            return None  # `def payment_method_id` in a controller: that class's own method, not the column
        if target.kind == "column" and self.python and _PY_DEF.match(line[:col]) and not self.area.model:
            return (
                None  # `def notification_settings(self)` of an API schema: that class's own (computed) field
            )
        if (
            target.kind == "column"
            and self.path.endswith((".rb", ".erb", ".haml", ".slim", ".rake"))
            and (_REQUEST_PARAMETER.search(line, 0, col) or _REQUEST_PARAMS_HASH.search(line, 0, col))
        ):
            return (
                None  # `params[:nearby]`, `get :index, :params => { :nearby => true }`: a request's parameter
            )
        if target.kind == "column" and self._object_keys(line_start + col):
            return None  # `omit(account, ['isExcluded'])`: a key of an object in memory
        if (
            target.kind == "column"
            and self.script
            and _MEMBER_ASSIGNED.match(line[:col])
            and _ASSIGNS.match(line, end)
            and not self._saves
        ):
            return None  # `model.earlyAccessDeadline = deadlines.get(model.id)`: an object's field in memory
        if target.kind == "column" and self._search_index_list(line_start + col):
            return None  # `filterableAttributes: ['earlyAccessDeadline']`: a search index's setting
        if (
            target.kind == "column"
            and needle.role == "name"
            and self._other_models_column(target, line, line_start)
        ):
            return None  # `type = Column(String)` in `class Notification(Base)`: that model's own column
        if target.kind == "column" and self._django_excluded(line_start + col):
            return None  # `exclude = ("legacy_note",)` of an admin or a form: Django ignores a missing name
        if target.kind != "enum-value" and in_prose(line, col, end):
            return None  # `throw new Error("Document not found")`, "Checkout created": a sentence
        undefined = needle.role == "model" and needle.word not in self.m.models[target.table].defined
        if undefined and not self.path.endswith(".sql") and self.literal(line_start + col) is not None:
            return None  # `"Suburb"` in a list of labels, and no class of that name in the code
        if self.path.endswith(".sql") and self._definition_statement(line_start + col):
            return None  # `CREATE TABLE … ("legacy" text)`, `COPY … FROM stdin`: a schema dump or init script
        if self.script and self._in_schema_builder(line_start + col):
            return None  # `table.string("legacy")` in `knex.schema.createTable(…)` of an init script: a definition
        if _RUBY_SCHEMA_FILE.search(self.path) and _RUBY_SCHEMA_LINE.match(line):
            return (
                None  # `create_table "users"` of `db/schema-drupal.rb`: a copy of a schema, no code that runs
            )
        if (_RAILS_ROUTES.search(self.path) and _ROUTE_LINE.match(line)) or (
            self.path.endswith((".rb", ".erb", ".haml", ".slim"))
            and _RAILS_CONTROLLER_OR_ASSET.search(line, 0, col)
        ):
            return (
                None  # `get 'users' => 'users#index'`, `javascript_include_tag 'users'`: a controller, a file
            )
        if _CHANGES_SCHEMA.search(line):
            return None  # `ALTER TABLE notes DROP COLUMN description` held in code: the change itself, no use
        read_as_sql = self.sql_access(needle, target, line_start + col)
        if read_as_sql == "":
            return None  # a SQL statement that does not name the target's column or table
        area = classify(self.area, line)
        if read_as_sql and area not in ("job", "serializer", "test", "doc"):
            area = "raw-sql"  # a query read as SQL; a job's or an API contract's keeps that area
        if self._test_text(area, read_as_sql, line, line_start, col):
            return None
        if needle.role in ("singular", "association") and area != "association":
            return None
        if self.prisma and needle.role == "association" and _PRISMA_FIELDS.search(line) is None:
            # `subscription Subscription? @relation("UserToSubscription")`: the other side of a relation, whose
            # key the other model holds (rallly's users.subscription_id, moved to subscriptions.user_id)
            return None
        if needle.role == "singular" and self.python:
            # Python names the table through the model class (`ForeignKey(Dashboard)`, `relationship("…")`),
            # never through the relation's own name (`dashboard = …`), as Rails' `belongs_to :dashboard` does
            return None
        if (
            self.python
            and _RELATED_NAME.search(line, 0, max(col - 1, 0))
            and self.literal(line_start + col) is not None
        ):
            return None  # `related_name="dashboards"`: the reverse accessor on the other model, no table
        if (
            target.kind == "column"
            and needle.word != target.name
            and self._typed_local(needle.word, line_start + col)
        ):
            return None  # `long actionStatusId` of a Java method, and its uses: a local name, not the column
        if target.kind == "column" and self._in_other_join_table(line_start + col, target.table):
            return (
                None  # `@JoinTable(name = "sp_ds_sm", joinColumns = @JoinColumn(name = "ds_id"))`: its column
            )
        if needle.role == "association" and re.search(
            rf"\bname\s*[=:]\s*[\"']{re.escape(needle.word)}[\"']", line
        ):
            return None  # `@JoinColumn(name = "ds")`: the line names its own column, `ds`, not `ds_id`
        if (
            self.python
            and (
                _URLCONF.search(self.path)
                or (line.lstrip().startswith("@") and _NAME_KEYWORD.search(line, 0, max(col - 1, 0)))
            )
            and self.literal(line_start + col) is not None
        ):
            # `@register.filter(name="product_grade")`, `@app.task(name=…)`; a Django `urls.py`'s (or `urls/`
            # package's) routes and URL names (`path("invoices/", …, name="invoices")`): filters, tasks, URLs
            return None
        if (
            needle.role == "association"
            and self.python
            and self.literal(line_start + col) is not None
            and not self.f_placeholder(line_start + col, line, col)
        ):
            # a Python model names its own relation left of `=`; a string on the line is another model's
            # (`to=`, `related_name=`, `to_field=`) or a value (`limit_choices_to={"kind": "build_server"}`)
            return None
        if needle.role == "delegate" and not _DELEGATE_CALL.match(line, end):
            return None  # `action` as a word; the model's delegate is `prisma.action.findMany(`
        if target.kind == "enum-value" and line[col - 1 : col] not in ("'", '"', ":", "`"):
            return None
        window = self.span(line_start, 12, 2)
        judged = self._judged.pop((needle, line_start + col), None)  # see `_unlisted`
        confidence, names = (
            ("high", frozenset())
            if read_as_sql
            else judged or self._confidence(needle, target, line, col, window, line_start)
        )
        if needle.role == "table" and needle.target in self.m.shared:
            confidence = "low"  # `"traces"`, `FROM traces`: the ClickHouse table as well as the dropped one
        if (
            confidence == "low"
            and not names
            and (needle.target in self.m.contested or needle.role == "attribute")
        ):
            return None  # another table's column of the same name: never listed (see search)
        flag = (
            flag_guard(self.text[self.span(line_start, 15, 0)[0] : line_start] + line) if self.flags else None
        )
        fields: UseFields = (
            self.path,
            self.line_no,
            line.strip()[:200],
            area,
            confidence,
            self._safe(target, line, line_start),
            read_as_sql or ("write" if is_write(line, col, end) else "read"),
            f"{flag[0]} `{flag[1]}`" if flag else None,
        )
        return needle.target, needle.role, tuple(names), fields

    def _unlisted(
        self, needle: Needle, target: Target, line: str, line_start: int, col: int, end: int
    ) -> bool:
        """Is the place of a name other tables share (or of a model's attribute) one the judgement below
        ends by leaving out whatever else it finds: not SQL on the target, and low confidence with no class
        nearby that the search could learn maps the table (the last check of `_hit`)? Asked first, as most
        such places end there; the confidence found is kept for `_hit` when the place goes on. In the base
        texts' pass, any low-confidence use of a name `search` lists only when sure is left out here."""
        removed_only = self.m.removed_only
        hidden = needle.target in self.m.contested or needle.role == "attribute"
        if removed_only is not None and not hidden:
            hidden = needle.target in removed_only and needle.role in ("name", "new", "table")
        if not hidden:
            return False
        read_as_sql = self.sql_access(needle, target, line_start + col)
        if read_as_sql is not None:
            return read_as_sql == ""
        # what `_hit` turns away whatever the confidence, cheaper to ask than the confidence and frequent: a
        # test's text, another object's attribute, a payload's key, a sentence
        named = needle.role in ("name", "new", "attribute")
        if (
            self._test_text(classify(self.area, line), None, line, line_start, col)
            or (target.kind == "column" and named and self._foreign(target, line, col, line_start))
            or (target.kind == "column" and needle.role != "new" and is_object_key(line, col, end))
            or (target.kind != "enum-value" and in_prose(line, col, end))
        ):
            return True
        window = self.span(line_start, 12, 2)
        confidence, names = self._confidence(needle, target, line, col, window, line_start)
        low = confidence == "low" or (needle.role == "table" and needle.target in self.m.shared)
        if low and (not names or removed_only is not None):
            return True
        self._judged[needle, line_start + col] = (confidence, names)
        return False

    def _test_text(self, area: str, read_as_sql: str | None, line: str, line_start: int, col: int) -> bool:
        """In a test (`area`), a string's text (`assert "legacy_title" in form.errors`) or a file of data
        (`"type": "error"` of a JSON response, a page of HTML), outside SQL: nothing that runs a query."""
        return (
            area == "test"
            and not read_as_sql
            and (self._plain_string(line_start + col, line, col) or self.path.endswith(_TEST_DATA_FILES))
        )

    def _prisma_other(self, target: Target, line: str, col: int) -> bool:
        """In a Prisma schema, is the name at `col` no field of the model whose block holds the line: an
        attribute (`@id`, `@unique`, `@@index`), or a field of the related model in a relation's
        `references: [id]` (the field's type names that model; the model's own fields are `fields: […]`)?"""
        before = line[:col]
        if before.endswith("@"):
            return True
        if _PRISMA_REFERENCES.search(before) is None:
            return False
        field = _PRISMA_FIELD.match(line)
        return field is None or field.group(1) not in self.m.models[target.table].names

    def _prisma_model_of_other(self, target: Target, line_start: int) -> bool:
        """In a Prisma schema, is the line in the block of a model of another table (its `@@map`, else its
        name, is not the target's table, nor the model one of the target table's names)?"""
        owner, start = self.enclosing(line_start)
        if not owner or not self.text[start : start + 80].lstrip().startswith("model"):
            return False
        close = self.text.find("\n}", start)
        mapped = _PRISMA_TABLE_MAP.search(self.text, start, close if close >= 0 else len(self.text))
        table = mapped.group(1) if mapped else owner
        return not same_table(table, target.table) and owner not in self.m.models[target.table].names

    def _own_instance_attribute(self, target: Target, word: str, line_start: int) -> bool:
        """In Python, is `self.<word>` on a line of a class that is not the model an attribute that a class of
        this file, not the model either, gives its instances in `__init__` (`self._config = {}` of
        `class BuildConfigBase`, read by it and by `class BuildConfigV2(BuildConfigBase)`)?"""
        names = self.m.models[target.table].names

        def other(cls: str) -> bool:
            return bool(cls) and cls not in names and _NAMED_AFTER_MODEL.sub("", cls) not in names

        if not other(self.enclosing_class(line_start)):
            return False
        if word not in self._instance_attributes:
            assigned = re.compile(rf"^[ \t]+self\.{re.escape(word)}\s*(?::[^=\n]*)?=(?!=)", re.M)
            self._instance_attributes[word] = any(
                self.text.startswith("def __init__(", self.text.rfind("def ", 0, m.start()))
                and other(self.enclosing_class(m.start()))
                for m in assigned.finditer(self.text)
            )
        return self._instance_attributes[word]

    def _own_form_field(self, word: str, line_start: int) -> bool:
        """Is the line in a Django form (a class named `…Form` or deriving from one) that declares a field
        of that name itself (`site_id = DynamicModelMultipleChoiceField(…)`)? Its lists (`FieldSet(…)`,
        `fields`) name the form's field, which a form of a model fills without the model's column."""
        cls, start = self.enclosing(line_start)
        if not cls:
            return False
        header = self.text[start : self.text.find(":", start) + 1]
        if "Form" not in header or "Serializer" in header:
            return False
        following = _PY_CLASS_LINE.search(self.text, start + 1)
        body = self.text[start : following.start() if following else len(self.text)]
        return re.search(rf"^[ \t]+{re.escape(word)}\s*=\s*[\w.]+\(", body, re.M) is not None

    def _other_class_constant(self, target: Target, line: str, line_start: int, col: int) -> bool:
        """Is the line a constant of a class that is not the model, the name its own or its value (an
        enum's `with_consent = "with_consent"`)?"""
        start = len(line) - len(line.lstrip())  # the constant's name starts the line
        if col != start and not _WORD_CONSTANT.match(line):
            return False  # only a value that is one word (`"with_consent"`), never a statement in a string
        col = start
        word = _WORD.match(line, col)
        end = col + (len(word.group(0)) if word else 0)
        cls = python_class_constant(self.text, line_start, line, col, end, self.headers)
        if cls is None:
            return False
        names = self.m.models[target.table].names
        return cls not in names and _NAMED_AFTER_MODEL.sub("", cls) not in names

    def _declared_otherwise(
        self, target: Target, owner: str, line: str, col: int, models: TableModels
    ) -> bool:
        """In script code, is the row-named value declared only with other types than the model's? In
        Python, is it annotated only with other classes (`condition: ConditionLeaf`, a pydantic schema)?"""
        if self.python and target.kind == "column" and owner.isidentifier():
            key = ("py!" + owner, models.table)
            if key not in self._typed:
                self._typed[key] = python_annotated_otherwise(self.text, owner, models.names)
            return self._typed[key]
        if not self.script or target.kind != "column" or not owner[:1].islower():
            return False
        word = _SCRIPT_WORD.match(line, col)
        if word is None or "_" in word.group(0):
            return False  # the field of a snake case API, judged as before
        key = ("!" + owner, models.table)
        if key not in self._typed:
            self._typed[key] = declared_otherwise(self.shape, owner, models.models)
        return self._typed[key]

    def _typed_as(self, owner: str, models: TableModels) -> bool:
        key = (owner, models.table)
        if key not in self._typed:
            delegates = {n for n in models.names if n[:1].islower()}
            self._typed[key] = typed_as(self.shape, owner, models.models, delegates)
        return self._typed[key]

    def _keyword_of_call(self, line: str, col: int, line_start: int, models: TableModels) -> str:
        """The class a Python keyword argument (on the call's line or a line of its own) is given to: the model of the query (`PortMapping.objects.create(`, `.filter(` over several lines) or
        the class constructed (`PortMapping(`), or "" when the call is no such thing."""
        before = line[:col].rstrip()
        if not self.python or (before and not before.endswith(("(", ","))):
            return ""
        if not _KEYWORD_ARGUMENT.match(line, col):
            return ""
        _, heads = self.shape.enclosing(line_start + col)
        if not heads:
            return ""
        queried = _ORM_RECEIVER.findall(heads[0])
        if queried:
            return str(queried[-1])
        built = re.search(r"(?<![\w.])([A-Z]\w*)\s*$", heads[0])
        return built.group(1) if built else ""

    def _option_key(self, line: str, col: int, end: int, line_start: int) -> bool:
        """Is the name at `col` a key (`session_id:`, `session_id=`) of the options a variable is given?"""
        if not _KEY_AFTER.match(line, end) or line[:col].rstrip().endswith((".", "?.")):
            return False
        opened = self.shape.opened_by(line_start + col)
        return opened is not None and _OPTIONS_OPENED.search(opened.rstrip()) is not None

    def _cast_elsewhere(self, target: Target, pos: int) -> bool:
        """In script code: is the name at `pos` taken out of a value cast to a type that names none of the
        target's models (`const { imageUrl } = card as TSurveyQuestion` for `User.imageUrl`)?"""
        if not self.script:
            return False
        found = self.shape.destructured_from(pos)
        cast = _CAST.search(found[0]) if found else None
        if cast is None:
            return False
        type_name = cast.group(1).lower()
        return not any(model.lower() in type_name for model in self.m.models[target.table].models)

    def _api_name(self, target: Target, line: str, line_start: int, col: int, end: int) -> bool:
        """In script code: a name taken out of a request that no query on the model receives, or a key of
        the object a handler answers with (see `script_requests`)."""
        if not self.script or self.literal(line_start + col) is not None:
            return False
        before, after = line[:col].rstrip(), line[end:].lstrip()
        if before.endswith((".", "?.")) or after[:1] not in (",", "}", ":", "=", ""):
            return False
        models = self.m.models[target.table]

        def on_model(head: str) -> bool:
            delegate = delegate_of(callee_chain(head) or "") or ""
            return (
                delegate in models.names or self._own_row(target, delegate) or _mentions(head, models.names)
            )

        def on_any(head: str) -> bool:
            delegate = delegate_of(callee_chain(head) or "") or ""
            return on_model(head) or bool(self.m.rows.get(delegate))

        request = request_source(self.shape, line_start + col)
        if request is not None:
            return not reaches_query(self.shape, request, on_model)
        key = (after.startswith(":") and not after.startswith("::")) or (
            after[:1] in (",", "}") and before.endswith(("{", ","))
        )
        return key and response_key(self.shape, line_start + col, on_any)

    def _plain_string(self, pos: int, line: str, col: int) -> bool:
        """Is `pos` in a string literal's text, not in a placeholder of code inside it (`${…}`, `#{…}`,
        an f-string's `{…}`)?"""
        if self.literal(pos) is None:
            return False
        return not (re.search(r"[$#]\{[^{}]*$", line[:col]) or self.f_placeholder(pos, line, col))

    def _in_text(self, word: str, line: str, col: int, line_start: int) -> bool:
        """A table's name inside a sentence of a string that is no SQL (`"… in the table 'tokens'."`, `"Could not
        load orders"`): the text of a message, not code that names the table."""
        found = self.literal(line_start + col)
        if found is None or not re.search(r"\s", found[1].strip()):
            return False
        if line[col + len(word) : col + len(word) + 1] == ".":
            return False  # `"orders.id = ?"`: a piece of SQL
        named = {name.lower() for groups in SQL_TABLE.findall(found[1]) for name in groups if name}
        if word.lower() in named:
            return False
        return self.sql_at(line_start + col) is None

    def _rust_tied(self, target: Target, line: str, col: int, line_start: int) -> bool:
        """In Rust a column is named through its table module (`post_tag::tag_id`), in the Diesel `table!`
        entry of the table, or as a field of a struct mapped to it (`#[diesel(table_name = post_tag)]`,
        or named after its model); a variable or another struct's field of that name is not the column."""
        models = self.m.models[target.table]
        path = _RUST_PATH.search(line, 0, col)
        owner = path.group(1) if path else qualifier(line, col)
        if owner in models.names or self._own_row(target, owner):
            return True
        table = target.table.lower().rpartition(".")[2]
        # the line itself too: `fn resolve(conn, reason: Option<String>) {` names a parameter
        blocks = list(_RUST_BLOCK.finditer(self.text, max(0, line_start - _SPAN_MAX), line_start + col))
        if not blocks:
            return False
        last = blocks[-1]
        if last.group("other"):
            return False  # a function, impl or enum: its names are variables and parameters
        if last.group("table"):
            return last.group("table") == table
        struct = last.group("struct")
        above = self.text[max(0, last.start() - 600) : last.start()]
        attributes = above[max(above.rfind("}"), above.rfind(";")) + 1 :]  # this struct's own
        mapped = _DIESEL_TABLE.findall(attributes)
        if mapped:
            return bool(mapped[-1] == table)
        if struct in models.names:
            return True
        # `EditSiteForm`, `LocalSiteResponse` of an API: named after the model, but a row of it only when
        # it derives one of Diesel's traits for it (the table then comes from the struct's name)
        return _NAMED_AFTER_MODEL.sub("", struct) in models.names and bool(_DIESEL_DERIVE.search(attributes))

    def _definition_statement(self, pos: int) -> bool:
        """Is `pos` in a `.sql` file that defines the schema (one that creates tables: a dump, a container's
        init script, whose views and functions are a copy of the database's, read from the history), or in
        a statement that defines or loads the schema (`ALTER TABLE … OWNER`, `COPY … FROM stdin`, an index,
        a comment, a grant) rather than code that runs (a query, a view, a function)?"""
        if self._creates_tables is None:
            self._creates_tables = _CREATES_TABLE.search(self.text) is not None
        if self._creates_tables:
            return True
        start = self.text.rfind(";\n", 0, pos) + 1  # a statement ends its line (pg_dump's comments hold `;`)
        return _DEFINITION_STATEMENT.match(self.text, start) is not None

    @cached_property
    def _schema_builders(self) -> tuple[tuple[int, int], ...]:
        """The extent of the arguments of each schema builder call of a script that creates or alters a table
        (Knex's `knex.schema.createTable("users", (t) => …)`, `alterTable`; Sequelize's and TypeORM's
        `createTable`)."""
        spans = []
        for call in _SCHEMA_BUILDER.finditer(self.text):
            close = closing_bracket(self.text, call.end() - 1)
            if close > 0:
                spans.append((call.end(), close))
        return tuple(spans)

    def _in_schema_builder(self, pos: int) -> bool:
        """Is `pos` inside a schema builder call of code outside the migrations (uptime-kuma's
        `db/knex_init_db.js`, which builds a new database's tables before its migrations run): the definition
        of the table and its columns, which the history changes later, and no query of a running release."""
        return any(start <= pos < end for start, end in self._schema_builders)

    def _label_not_table(self, table: str, line: str, col: int, line_start: int) -> bool:
        """A table named like a class (Prisma's `Document`, `Task`) written as a string of script code that
        no query builder receives: `deleteWhat: "Document"`, `chalkTask("Task")`, `<Badge label="Job">` are
        words shown to a user. A builder's table (`selectFrom("Task")`, `table: "Task"`) stays a use."""
        if not self.script or table == table.lower():
            return False
        quote = line[col - 1 : col]
        if quote not in ("'", '"', "`") or line[col + len(table) : col + len(table) + 1] != quote:
            return False
        # the text before the string, from the lines above when it stands on a line of its own
        before = self.text[max(0, line_start - 200) : line_start + col - 1].rstrip()
        called = _CALLED.search(before)
        if called is not None:
            return called.group(1) not in _BUILDER_CALLS
        keyed = _KEYED.search(before)
        if keyed is not None:
            return keyed.group(1) not in _TABLE_KEYS
        return False

    def _logged(self, pos: int) -> bool:
        """Is `pos` in a string given to a call that writes a message to a log or the console?"""
        if self.literal(pos) is None:
            return False
        head = self.shape.opened_by(pos)
        return head is not None and _LOG_CALL.search(head) is not None

    def _object_keys(self, pos: int) -> bool:
        """Is `pos` a string in the list of keys given to `omit` / `pick` (script code)?"""
        if not self.script or self.literal(pos) is None:
            return False
        head = self.shape.opened_by(pos)
        return head is not None and _KEYS_OF_OBJECT.search(head) is not None

    @cached_property
    def _saves(self) -> bool:
        """Does the file save objects through an ORM (`repo.save(user)`, `em.flush()`, `row.save()`)?"""
        return _SAVES.search(self.text) is not None

    @cached_property
    def _props_types(self) -> list[tuple[int, int, str]]:
        return props_types(self.text)

    @cached_property
    def _raw_queries(self) -> bool:
        """Does the file send raw SQL (`db.$queryRaw`, a `sql` template)? Asked for every place of the file."""
        return "$queryRaw" in self.text or "sql`" in self.text

    def _query_alias(self, owner: str, name: str) -> bool:
        """Is `owner` a row of a raw query of this file (`const [row] = await db.$queryRaw<Row[]>` and its SQL)
        whose SQL gives `name` as an alias of another expression (`pa."endsAt" AS "earlyAccessEndsAt"`)?"""
        if not owner or not self._raw_queries:
            return False
        key = (owner, name)
        if key not in self._aliases:
            self._aliases[key] = self._aliased(owner, name)
        return self._aliases[key]

    def _aliased(self, owner: str, name: str) -> bool:
        text = self.text
        at = text.find(name)
        while at >= 0 and not _ALIAS_BEFORE.search(text, max(0, at - 12), at):
            at = text.find(name, at + len(name))
        if at < 0:
            return False  # the file's SQL gives no value that name
        for declared in re.finditer(rf"\b(?:const|let|var)\s+(?:\[\s*)?{re.escape(owner)}\b", text):
            statement = text[declared.end() : declared.end() + 300]
            query = _RAW_QUERY.match(statement)
            if query is None:
                continue
            start = declared.end() + query.end()
            end = text.find("`", start)
            sql = text[start : end if end >= 0 else len(text)]
            alias = re.search(rf"(\S+)\s+AS\s+\"?{re.escape(name)}\"?(?![\w\"])", sql, re.I)
            return alias is not None and not alias.group(1).strip('"').endswith(name)
        return False

    def _rust_own_name(self, line: str, line_start: int, col: int, end: int) -> bool:
        """Is a word named like a dropped table a module the code declares (`pub mod admin_allow_instance;`),
        a handler of that name (`admin_allow_instance::admin_allow_instance`, `.to(admin_allow_instance)`), a
        variant of an enum the file declares (`AdminAdd,` in `pub enum ModlogKind {`), or a variable a `let`, a closure or a `for` loop of the enclosing function
        binds (`let mod_remove_post = &Modlog::create(…)`, then `mod_remove_post.id`)? Diesel names a
        table by its module: `mod_remove_post::table`, `use crate::schema::mod_remove_post`."""
        word = line[col:end]
        twin = line.startswith(f"{word}::{word}", col) or line[:col].endswith(f"{word}::")
        if twin or _RUST_MOD.match(line):
            return (
                True  # `mod admin_allow_instance;`, `admin_allow_instance::admin_allow_instance`: a handler
            )
        if line[col - 1 : col] == "(" and line[end : end + 1] == ")":
            return True  # `.to(admin_allow_instance)`: a function given as a value; a table is `name::table`
        if line[end : end + 2] == "::" or line[:col].endswith("::"):
            return False
        if _RUST_VARIANT.match(line[col:]) and not line[:col].strip():
            head = self.shape.opened_by(line_start + col) or ""
            if _RUST_ENUM.search(head):
                return True
        function = self.text.rfind("\nfn ", 0, line_start)
        function = max(function, self.text.rfind(" fn ", 0, line_start))
        if function < 0:
            return False
        bound = re.compile(
            rf"\blet\s+(?:mut\s+)?(?:&\s*)?{re.escape(word)}\b|\|[^|\n]*\b{re.escape(word)}\b[^|\n]*\||\bfor\s+{re.escape(word)}\s+in\b"
        )
        return bound.search(self.text, function, line_start + col + len(word) + 8) is not None

    def _search_index_list(self, pos: int) -> bool:
        """Is `pos` a string in a search index's list of attributes (see `_SEARCH_INDEX_LIST`)?"""
        if self.literal(pos) is None:
            return False
        head = self.shape.opened_by(pos)
        return head is not None and _SEARCH_INDEX_LIST.search(head) is not None

    def _other_models_column(self, target: Target, line: str, line_start: int) -> bool:
        """Is the line a Python column declaration inside a model class of another table: a class that
        neither is the target's model, nor is named after it, nor inherits from it (single-table
        inheritance), nor is a mixin or an abstract class that other models take their columns from?"""
        if not self.python or _COLUMN_DECLARATION.match(line) is None:
            return False
        cls, start = self.enclosing(line_start)
        if not cls or cls.endswith(("Mixin", "Abstract")) or cls.startswith("Abstract"):
            return False
        names = self.m.models[target.table].names
        if cls in names or _NAMED_AFTER_MODEL.sub("", cls) in names:
            return False
        header = self.text[start : self.text.find(":", start)]
        bases = set(re.findall(r"[A-Za-z_]\w*", header.partition("(")[2]))
        if not bases or bases & names or bases & {"object", "Enum", "TypedDict", "NamedTuple"}:
            return False
        following = _PY_CLASS_LINE.search(self.text, line_start)
        body = self.text[start : following.start() if following else len(self.text)]
        if "__abstract__" in body or re.search(r"\babstract\s*=\s*True", body):
            return False
        return not _maps_table(cls, body, target.table)

    def _django_excluded(self, pos: int) -> bool:
        """Is `pos` a name in the `exclude` list of a Django admin or form (not of a DRF serializer)?"""
        if not self.python:
            return False
        head = self.shape.opened_by(pos)
        if head is None or _EXCLUDE_LIST.search(head) is None:
            return False
        cls, start = self.enclosing(pos)
        header = self.text[start : self.text.find(":", start)] if cls else ""
        return _SERIALIZER_CLASS.search(header) is None

    def _payload_key(self, target: Target, line: str, col: int, end: int, line_start: int = 0) -> bool:
        """Is the name a quoted key looked up in a Python dict that is no row of the target's table? A key that
        starts its line is read with the line before it (`request.data.get(` above `"inbox_view", False`)."""
        if not self.python:
            return False
        receiver = lookup_receiver(line, col, end)
        if receiver is None and line_start > 0 and not line[: max(col - 1, 0)].strip():
            above = self.text[self.text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1].rstrip()
            receiver = lookup_receiver(above + line[col - 1 :], len(above) + 1, len(above) + 1 + end - col)
        if receiver is None or receiver in self.m.models[target.table].names:
            return False
        return target.table.lower().rpartition(".")[2] not in self.m.rows.get(receiver, frozenset())

    def _view_or_test_attribute(self, target: Target, line_start: int) -> bool:
        """Is the line in a Python class that is a view, a test case or a management command (its bases end
        with `View`, `ViewSet`, `TestCase` or `Command`), not the model: `self.page` is its own attribute?"""
        cls, start = self.enclosing(line_start)
        if not cls or cls in self.m.models[target.table].names:
            return False
        head = _PY_CLASS_BASES.match(self.text, start)
        return head is not None and _NOT_ROW_BASE.search(head.group(1)) is not None

    def _key_tested_elsewhere(self, target: Target, line: str, col: int, end: int) -> bool:
        """Is the quoted name a key the `in` operator looks for in an object that is no row of the target's
        table (`'itemId' in previewingEdge.from`)? In a row (`'itemId' in answer`) it stays a use."""
        quote = line[col - 1 : col]
        if quote not in ("'", '"') or line[end : end + 1] != quote:
            return False
        tested = _IN_OBJECT.match(line, end + 1)
        if tested is None:
            return False
        last = tested.group(1).rpartition(".")[2]
        return not (last in self.m.models[target.table].names or self._own_row(target, last))

    def _delegate_tables(self, delegate: str) -> frozenset[str]:
        """The tables a Prisma client's delegate queries (`teamUser` of `prisma.teamUser.create`: the schema
        keeps the quoted `TeamUser` table in lower case)."""
        return self.m.rows.get(delegate) or self.m.rows.get(delegate.lower(), frozenset())

    def _through_other(self, target: Target, through: str, models: TableModels) -> bool:
        """Is a member read through `through`, a collection or an item of another table's rows or another
        column of the target's table (`memberships` of `user.memberships[0].role`)?"""
        if through in models.names or self.m.schema.has(target.table, through):
            return through not in models.names
        tables = self._row_tables(through)
        return bool(tables) and target.table.lower().rpartition(".")[2] not in {t.lower() for t in tables}

    def _ruby_member(
        self, target: Target, line: str, col: int, line_start: int, models: TableModels
    ) -> str | None:
        """Ruby: the confidence a member read says by the chain in front of it (see `ruby_members`): high for
        a row of the table (`comment.try(:x)`, `comment&.x`), low for what an association of such a row
        returns (`comment.signature.try(:x)`: the association's model's attribute); None for anything else."""
        if target.kind != "column" or not self.ruby_like:
            return None
        chain = receivers(line, col)
        if not chain:
            return None
        if chain[-1] in models.names or self._own_row(target, chain[-1]):
            return "high"
        before = chain[-2] if len(chain) > 1 else ""
        own_class = before == "self" and self.enclosing_class(line_start) in models.names
        if before in models.names or self._own_row(target, before) or own_class:
            return "low"
        return None

    def _anchored(self, models: TableModels, start: int, end: int, *, text: str = "", word: str = "") -> bool:
        """Is the table, its model or a row of it named between `start` and `end` (of `text`, else of the
        file)? In Ruby a row's name that goes on to a member of an association (`comment.signature.x`) names
        the association's row, not the table's."""
        if not text and not self.present & models.names:
            return False
        text = text or self.text
        own = frozenset(spellings(word)) if word else frozenset()
        return any(
            not (self.ruby_like and m.group().lstrip("@")[:1].islower() and continued(text, m.end(), own))
            for m in models.anchor.finditer(text, start, end)
        )

    @cached_property
    def ruby_like(self) -> bool:
        """Ruby code or a template of it, where rows' members are read the Ruby way."""
        return self.ruby or self.path.endswith((".erb", ".haml", ".slim", ".jbuilder"))

    def _own_row(self, target: Target, owner: str) -> bool:
        """Is `owner` a name code gives a row of the target's table only (`product` for `spree_products`)?"""
        return bool(owner) and self.m.rows.get(owner) == frozenset({target.table.lower().rpartition(".")[2]})

    def _foreign(self, target: Target, line: str, col: int, line_start: int) -> bool:
        """Is the name qualified by an object that is no row of the target's table: one that is never a
        row (`response`, `request`), a row of another table of the schema (`enterprise.status` when
        the column is `invoices.status`), or a callback's or a loop's row of another table's collection
        (`model.modelVersions.every((version) => version.earlyAccessDeadline)` for `Model`)?"""
        owner = qualifier(line, col)
        if self._foreign_owner(target, owner):
            return True
        if not owner and self.script:
            found = _found_in(line[:col])
            return bool(found) and not self._row_tables(found) and self._unrelated(target, found)
        if not owner or not self.path.endswith((*SCRIPT_FILES, ".py")):
            return False
        collection, member = _collection_of(
            self.text[self.span(line_start, 3, 0)[0] : line_start + col], owner
        )
        tables = self._row_tables(collection) if collection else frozenset()
        if not tables and member and self.script and self._unrelated(target, collection):
            return True  # `question.choices.find((choice) => choice.imageUrl)`: items of a document's array
        return bool(tables) and target.table.lower().rpartition(".")[2] not in {t.lower() for t in tables}

    def _unrelated(self, target: Target, collection: str) -> bool:
        """Does a collection read as a member of another value (`question.choices`) hold something other than
        rows of the target's table: its name is no name of those rows, of any table's rows, nor a word for
        rows of any kind (`items`, `data`, `results`), nor a column of the target's table?"""
        single = singularize(collection)
        names = self.m.models[target.table].names
        return (
            collection.lower() not in _CONTAINERS
            and not {collection, single, single.lower(), underscore(single)} & names
            and not self.m.schema.has(target.table, collection)
        )

    def _row_tables(self, collection: str) -> frozenset[str]:
        """The tables whose rows a collection of that name holds (`modelVersions`, `line_items`)."""
        single = singularize(collection)
        for name in (collection, single, single.lower(), underscore(single)):
            if name in self.m.rows:
                return self.m.rows[name]
        return frozenset()

    def _foreign_owner(self, target: Target, owner: str, objects: bool = True) -> bool:
        """Is `owner` a row of another table (or, with `objects`, an object that is never a row)?"""
        if not owner or owner in self.m.models[target.table].names:
            return False
        tables = self.m.rows.get(owner, frozenset())
        if not tables and owner[:1].isupper():  # a Prisma relation field: `order.SymbolProfile.currency`
            tables = self.m.rows.get(underscore(owner), frozenset()) or self.m.rows.get(
                owner.lower(), frozenset()
            )
        if not tables and owner[:1].islower():
            tables = self._qualified_row(owner)
        return (objects and owner in NOT_ROWS) or (
            bool(tables) and target.table.lower().rpartition(".")[2] not in tables
        )

    def _ruby_other_rows(self, target: Target, line: str, col: int, line_start: int) -> bool:
        """Ruby: a key of the hash that another table's key holds (`where(ownerships: { rubygem_id: ids })`, the
        condition Active Record puts on that table), or the attribute a block takes from the rows of another
        model's query (`Ownership.where(…).index_by(&:rubygem_id)`)."""
        if line[:col].endswith("&:"):
            head = _RUBY_CHAIN_HEAD.search(line[:col])
            return head is not None and self._foreign_owner(target, head.group(1), objects=False)
        word = _WORD.match(line, col)
        after = line[col + (len(word.group(0)) if word else 0) :]
        if not after.startswith(":") or after.startswith("::"):
            return False
        keys, _ = self.shape.enclosing(line_start + col)
        return bool(keys) and any(
            self._foreign_owner(target, key, objects=False)
            for key in dict.fromkeys((keys[0], singularize(keys[0])))
        )

    def _related_key(self, target: Target, keys: Sequence[str], models: TableModels) -> bool:
        """Is the object a Prisma nested write or selection under a relation's key (`availabilitySchedule:
        { create: { … } }`, `{ select: { … } }`, a table this change creates included), whose keys are the
        related model's fields? A relation named after the changed model (`orders: { create: … }`) is
        its own."""
        for inner, outer in pairwise(keys):
            if inner not in _NESTED_OPERATIONS or outer in _QUERY_ARGUMENTS:
                continue
            single = singularize(outer)
            own = {n.lower() for n in models.names}
            return not (outer.lower() in own or single.lower() in own or self._own_row(target, single))
        return False

    def _qualified_row(self, owner: str) -> frozenset[str]:
        """The tables of a row named with words in front of a row's name (`latest_version`,
        `previousOrder`): the last words that name a row decide."""
        words = underscore(owner).split("_")
        for i in range(1, len(words)):
            tail = "_".join(words[i:])
            if tail in self.m.rows:
                return self.m.rows[tail]
        return frozenset()

    def _safe(self, target: Target, line: str, line_start: int) -> str | None:
        if target.kind != "column":
            return None
        for marker, reason in _SAFE_LINE:
            if marker in line:
                return reason
        above = self.text[self.span(line_start, 30, 0)[0] : line_start]
        if "ignored_columns" in above:
            listed = above.rpartition("ignored_columns")[2]
            opener = re.search(r"[\[(]", listed)
            closer = {"[": "]", "(": ")"}.get(opener.group(0), "]") if opener else "]"
            if opener and closer not in listed[opener.end() :]:
                return "ignored_columns"  # a multi-line list: self.ignored_columns += %i(\n legacy_status\n)
        return None

    def _confidence(
        self, needle: Needle, target: Target, line: str, col: int, window: tuple[int, int], line_start: int
    ) -> tuple[str, frozenset[str]]:
        if is_comment(line):
            return "low", frozenset()
        if target.kind in ("index", "constraint"):
            return "high", frozenset()
        models = self.m.models[target.table]
        if needle.role == "model":  # high once a definition of the class for this table is known
            return ("high" if needle.word in models.defined else "low"), frozenset({needle.word})
        if needle.role == "delegate":
            # `prisma.trace.update(`; `this.trace.update(` is an object's own member (an SDK's trace), which a
            # Prisma client is not
            own = qualifier(line, col) in ("this", "self")
            return ("high" if line[:col].endswith(".") and not own else "low"), frozenset()
        if needle.role in ("table", "singular"):
            if needle.role == "table" and self._label_not_table(needle.word, line, col, line_start):
                return "low", frozenset()
            if (
                needle.role == "table"
                and self.ruby
                and needle.word.isalpha()
                and needle.word.islower()
                and not _RUBY_TABLE_CALL.search(line, 0, col)
            ):
                return "low", frozenset()  # `format(data, 'users')`, `assigns(:users)`: a word of the code
            if (
                needle.role == "table"
                and self.path.endswith(_ELIXIR_FILES)
                and line[:col].endswith(":")
                and not _ECTO_TABLE_ATOM.search(line, 0, col)
            ):
                # `as={:tokens}`, `[:pid, :tokens]`: an atom; Ecto names tables in strings
                return "low", frozenset()
            if needle.role == "table" and self._in_text(needle.word, line, col, line_start):
                return "low", frozenset()
            return (
                "high" if needle.role == "singular" or names_table(line, col, needle.word) else "low"
            ), frozenset()
        if target.kind == "enum-value":
            mentioned = bool(self.found(models.anchor, *window, hints=models.names))
            return (
                "high"
                if mentioned or target.table.rpartition("_")[2] in self.text[window[0] : window[1]]
                else "low"
            ), frozenset()
        if self.prisma and _PRISMA_REFERENCES.search(line, 0, col):
            return "high", frozenset()  # `author User @relation(fields: [authorId], references: [id])`
        if self.rust and target.kind == "column" and needle.role in ("name", "new"):
            # only a column Rust names through its table (`post_report::resolve_reason`, its `table!` entry, a
            # field of a struct Diesel maps to it) is kept (see `_rust_tied`): that table's, whatever other
            # table has a column of the same name
            return "high", frozenset()
        member = self._ruby_member(target, line, col, line_start, models)
        if member:
            return member, frozenset()
        struct = self._go_struct(line_start) if self.go and target.kind == "column" else ""
        if struct:  # a field of a Go struct: the struct's table is the one it maps
            return ("high" if struct in models.names else "low"), frozenset({struct})
        owner = qualifier(line, col)
        typed = (
            self._go_type_of(owner, line_start + col) if self.go and owner and target.kind == "column" else ""
        )
        if typed:  # `a.Age` of `func (a Animal) …` or `a := &models.Animal{…}`: that struct's field
            return ("high" if typed in models.names else "low"), frozenset({typed})
        if (
            target.kind == "column"
            and owner
            and owner.lower() != target.name.lower()
            and owner not in models.names
            and self.m.schema.has(target.table, owner)
        ):
            return (
                "low",
                frozenset(),
            )  # `project.styling.brandColor`: a key in another column (JSON) of the row
        if owner in models.names or self._own_row(target, owner):
            if self._declared_otherwise(target, owner, line, col, models):
                return "low", frozenset()  # `user: { name: string; url: string }`: named like a row only
            return "high", frozenset()
        script = self._script_confidence(needle, target, line, col, window, line_start)
        if script is not None:
            return script
        if self.ruby and target.kind == "column" and self._ruby_other_rows(target, line, col, line_start):
            return (
                "low",
                frozenset(),
            )  # `where(ownerships: { rubygem_id: … })`, `Ownership.….index_by(&:rubygem_id)`
        if needle.target in self.m.contested or needle.role == "attribute":
            keyword = _KEYWORD_ARGUMENT.match(line, col) and qualifier(line, col) in _QUERY_METHODS
            if (
                qualifier(line, col) not in ("", "self", "this", "cls", "@")
                and not keyword  # `.update(title=title)`: the query's own column
                and not _QUERY_ARGUMENT.search(line, 0, col)
            ):
                # `team.organisation.ownerUserId`: an attribute of another object, unless the owner turns
                # out to be a row of a model the search learns later (`invoice.memo` of a `db_table` model)
                return "low", _row_owner(qualifier(line, col))
            called = self._keyword_of_call(line, col, line_start, models)
            if called:  # `rear_port_position=1,` on a line of its own in `PortMapping.objects.create(`
                return ("high", frozenset()) if called in models.names else ("low", frozenset((called,)))
            return self._tied(window, line, line_start, models)
        sql_tables = {t.lower() for t in self.found(SQL_TABLE, *window, hints=_SQL_HINTS)} - _SQL_WORDS
        if sql_tables:
            return ("high" if sql_tables & models.tables else "low"), frozenset()
        if self._anchored(models, *window, word=needle.word):  # the table or its model nearby
            return "high", frozenset()
        return self._class_confidence(needle, window, line_start, models)

    def _script_confidence(
        self, needle: Needle, target: Target, line: str, col: int, window: tuple[int, int], line_start: int
    ) -> tuple[str, frozenset[str]] | None:
        """In JavaScript and TypeScript: a member of another type, a member read from a value that is no
        row of the model, or a key of an object no query on the model receives is that object's own field
        (see `script_members`); None where the usual judgement applies."""
        if not self.script or target.kind != "column":
            return None
        if self.literal(line_start + col) is not None:
            return None  # a string: judged as SQL or as a name elsewhere
        models = self.m.models[target.table]
        contested = needle.target in self.m.contested or needle.role == "attribute"
        member_of = self.shape.type_member(line_start, line)
        if member_of is not None:  # no ORM reads a column through a type: `interface User { alias?: string }`
            return "low", frozenset()
        named = _SCRIPT_NAME.match(line, col)
        word_end = col + (len(named.group(0)) if named else 0)
        if _INLINE_TYPE_KEY.search(line, 0, col) and _PRIMITIVE_TYPE.match(line, word_end):
            return "low", frozenset()  # `thread: { id: string; channelId?: string | null }`, a type inline
        before = line[:col].rstrip()
        word = _SCRIPT_WORD.match(line, col)
        after = line[col + (len(word.group(0)) if word else 0) :].lstrip()
        if word and "_" in word.group(0):
            return None  # `item.dashboard_id`: the field of a snake case API, judged as before
        if _DESTRUCTURED.match(after):
            source = _DESTRUCTURED_FROM.match(after)
            if source and self._typed_as(source.group(1), models):
                return "high", frozenset()  # `const { legacyStatus } = order` of `order: Order`
            if source and self._declared_otherwise(target, source.group(1), line, col, models):
                return "low", frozenset()  # `const { earlyAccessDeadline } = data` of `data: CardData`
            return None  # `const { customText } = input`: taken out of a value (a request's body)
        if before.endswith("."):
            owner = qualifier(line, col)
            through = "" if owner else chain_member(line, col)
            if through and self._through_other(target, through, models):
                return "low", frozenset()  # `user.memberships[0].role`: a membership's, not the user's
            if not owner or owner in ("this", "self", "super"):
                return None
            if _CONSTANT.fullmatch(owner):
                return "low", frozenset()  # `COLOR_DEFAULTS.brandColor`: a constant of the code, no row
            if self._typed_as(owner, models):
                return "high", frozenset()
            if contested:
                return "low", _row_owner(owner)  # `team.organisation.ownerUserId`: another object's, or a row
            return self._tied(window, line, line_start, models)  # `aUser?.permissions`, `branding.x`
        key = (after.startswith(":") and not after.startswith("::")) or (
            after[:1] in (",", "}") and (not before or before.endswith(("{", ",")))
        )
        if not key:
            return None
        keys, heads = self.shape.enclosing(line_start + col)
        for nested in keys:
            if self._foreign_owner(target, nested, objects=False):
                return "low", frozenset()  # `SymbolProfile: { create: { currency } }`: the related model's
        if self._related_key(target, keys, models):
            return "low", frozenset()  # `availabilitySchedule: { create: { timezone } }`: a relation's model
        for head in heads[:1]:
            if self._defines_model(head, line_start + col, models):
                return "high", frozenset()  # `sequelize.define('User', { age: … })`, `User.init({ age: … })`
        for head in heads:  # the innermost call that is a query decides
            delegate = delegate_of(callee_chain(head) or "")
            if delegate in models.names or self._own_row(target, delegate or ""):
                return "high", frozenset()  # `prisma.order.update({ data: { … } })`
            if self._delegate_tables(delegate or ""):  # a query on another model:
                return "low", frozenset()  # `prisma.document.findMany({ where: { teamId } })`
            if _mentions(head, models.names):
                return "high", frozenset()  # `this.orderRepository.save({ … })`, `Order.create({ … })`
        if heads and contested:
            return "low", frozenset()  # `items.push({ currency: … })`: a key of another function's object
        if _copied_member(after, word.group(0) if word else ""):
            return "low", frozenset()  # `brandColor: project.styling.brandColor`: the value decides
        if not heads and self.shape.returned_copy(line_start + col):
            return "low", frozenset()  # `return { ...model, earlyAccessDeadline: … }`: a copy's own field
        if contested:
            return None
        return self._tied(window, line, line_start, models)

    def _defines_model(self, head: str, pos: int, models: TableModels) -> bool:
        """Is the call around an object's key the definition of the table's model, whose keys are its
        columns: Sequelize's `sequelize.define('User', { … })` (the model's or the table's name first) or
        `User.init({ … }, { sequelize })` of a model class?"""
        chain = callee_chain(head) or ""
        owner, _, method = chain.rpartition(".")
        if method == "init":
            return owner.rpartition(".")[2] in models.models
        if method != "define" or not owner:
            return False
        start = self.text.rfind(head, 0, pos)
        first = _FIRST_STRING.match(self.text, start + len(head) + 1) if start >= 0 else None
        return first is not None and (
            first.group(1) in models.models or first.group(1).lower() == models.table.lower()
        )

    def _tied(
        self, window: tuple[int, int], line: str, line_start: int, models: TableModels
    ) -> tuple[str, frozenset[str]]:
        """A name other tables also have is a use of this table's column only where the code ties it to
        this table: SQL on the table, the model or a row of it on the line, a class for the model
        (itself, its serializer, a form or admin declaring `model = X`), or a query on the model nearby."""
        region = self._region(window, line_start)
        if region.sql_tables:
            return ("high" if region.sql_tables & models.tables else "low"), frozenset()
        if (region.cls in models.defined and self.path in models.files) or (
            self.path,
            region.cls,
        ) in models.parents:
            return (
                "high",
                frozenset(),
            )  # in the class found to map this table (`Billing::Invoice` of a prefix), or in a mixin of it
        own = self.m.rows.get(underscore(region.cls), frozenset()) if region.cls else frozenset()
        if own and models.table.lower().rpartition(".")[2] not in own:
            return "low", frozenset()  # `class IssueType`: the model of `issue_types`, not a type of Issue
        stem = _NAMED_AFTER_MODEL.sub("", region.cls)
        if stem in models.names or region.declared & models.models:
            return "high", frozenset()
        owners = self.m.rows.get(underscore(stem), frozenset()) if stem else frozenset()
        if owners and models.table.lower().rpartition(".")[2] not in owners:
            return "low", frozenset()  # inside another table's model (`class Feature`): its own column
        if region.declared and not region.declared & models.models:
            # a form or serializer declaring `model = PortMapping`: that model's field, unless the search
            # learns later that the declared model maps this table (its `db_table`)
            return "low", region.declared
        key = (line_start, len(line))  # the line, as `hits` cut it (a long one around the token)
        if key not in self._lines:
            self._lines[key] = (_QUOTED.sub('""', line), frozenset(_ORM_RECEIVER.findall(line)))
        unquoted, own = self._lines[key]  # the same for every target
        if self._anchored(
            models, 0, len(unquoted), text=unquoted
        ):  # not `alt_text: "Image alternative text"`
            return "high", frozenset()
        if own:  # a query on this line: its model, not those of the lines around (`Medal.findAll(…)`)
            return ("high" if own & models.names else "low"), own
        if (region.receivers | region.delegates) & models.names:
            return "high", frozenset()
        return "low", frozenset(region.receivers | {region.cls} - {""})

    def _region(self, window: tuple[int, int], line_start: int) -> _Region:
        """What the lines around one line say about the tables it is about; the same for every target."""
        found = self._regions.get(line_start)
        if found is None:
            sql = {t.lower() for t in self.found(SQL_TABLE, *window, hints=_SQL_HINTS)} - _SQL_WORDS
            cls, start = self.enclosing(line_start)
            declared = set(_DECLARED_FOR.findall(self.text, start, line_start)) if cls else set()
            found = _Region(
                frozenset(sql),
                cls,
                frozenset(declared),
                frozenset(self.found(_ORM_RECEIVER, *window, hints=_ORM_HINTS)),
                frozenset(m.group(1) for m in _DELEGATE.finditer(self.text, *window)),
            )
            self._regions[line_start] = found
        return found

    def _class_confidence(
        self, needle: Needle, window: tuple[int, int], line_start: int, models: TableModels
    ) -> tuple[str, frozenset[str]]:
        cls = self.enclosing_class(line_start)
        stem = _NAMED_AFTER_MODEL.sub("", cls)
        if stem in models.names or (self.path, cls) in models.parents:
            return "high", frozenset()
        receivers = frozenset(self.found(_ORM_RECEIVER, *window, hints=_ORM_HINTS))
        names = receivers | {cls}
        if cls and (stem != cls or self.area.model):
            return "low", names
        if receivers and not receivers & models.names:
            return "low", names
        distinctive = "_" in needle.word or any(c.isdigit() or c.isupper() for c in needle.word[1:])
        return ("high" if distinctive else "low"), names


_QUERY_VERB = re.compile(
    r"(?:find|create|update|upsert|delete|destroy|save|insert|count|aggregate|where|select|bulkCreate"
    r"|increment|decrement|merge|preload)"
)
_STORE_CALL = re.compile(
    r"([\w$]+(?:\([^()]*\))?)\s*\??\.\s*(?:find\w*|create\w*|update\w*|upsert\w*|delete\w*|destroy|save\w*"
    r"|insert\w*|count|aggregate|where|select\w*|bulkCreate|increment|decrement|merge|preload)\s*(?:<[^()<>]*>)?\s*$"
)
# What may follow a model's name in the name of a call about it: the end of a word, or a plural and a
# word for a store of rows (`orderRepository`, `ordersService`), not another noun (`accountBalance`).
_CALL_END = r"(?:(?:s|es)?(?:Repository|Repo|Service|Model|Store|Dao|Table|Collection|Entity|Delegate))?(?![A-Za-z0-9])"


# a schema builder's call that creates or alters a table: Knex's `schema.createTable(`, `alterTable(`,
# Sequelize's `queryInterface.createTable(`, TypeORM's `queryRunner.createTable(`
_SCHEMA_BUILDER = re.compile(r"\.\s*(?:createTable|createTableIfNotExists|alterTable)\s*\(")
# a Prisma relation field that holds its key: `@relation(fields: [authorId], …)`
_PRISMA_FIELDS = re.compile(r"@relation\([^)]*\bfields\s*:")
_TABLE_DECLARED = re.compile(r"(?:__tablename__|db_table)\s*=\s*[\"']([\w.]+)[\"']")


# A Rails schema file other than the one the migrations keep (an old application's `db/schema-drupal.rb`, a
# `db/schema.rb.example`), and its definitions
_RUBY_SCHEMA_FILE = re.compile(r"(?:^|/)[\w-]*schema[\w-]*\.rb(?:\.\w+)?$")
_RUBY_SCHEMA_LINE = re.compile(
    r"\s*(?:create_table|add_index|add_foreign_key|remove_foreign_key|create_join_table|t\.\w+|end\b)"
)
# Rails routes name controllers, actions and paths; a helper names a controller or an asset file
_RAILS_ROUTES = re.compile(r"(?:^|/)config/routes(?:\.rb$|/)")
_ROUTE_LINE = re.compile(r"\s*(?:get|post|put|patch|delete|match|resources?|resource|namespace|scope|root)\b")
_RAILS_CONTROLLER_OR_ASSET = re.compile(
    r"(?::controller\s*=>\s*|\bcontroller:\s*"
    r"|\b(?:javascript_include_tag|stylesheet_link_tag|image_tag|render|partial:|template:)\s*\(?\s*)[\"':]$"
)
# Where Ruby code names a table, or an association named like one, by a plain word: a query, a schema
# statement, an association, SQL (`joins(:users)`, `has_many :answers`, `self.table_name = "users"`)
# A Rails route helper (`auth_path(`, `user_url(`, `url_for(`, `redirect_to`) whose keys are the URL's parameters,
# or a form helper not bound to a model (`text_field_tag("name", …)`) whose first argument is a parameter's name.
_ROUTE_CALL = re.compile(r"\b(?:\w+_(?:path|url)|url_for|redirect_to)\b[ \t(]")
_FORM_TAG = re.compile(r"\b\w+_tag[ \t]*\(?[ \t]*[\"':]$")
# The markup a helper writes: `:class => "openid_url"`, `id: "openid_url"` name a style or an element
_HTML_OPTION = re.compile(r"(?::(?:class|id)[ \t]*=>|\b(?:class|id):)[ \t]*[\"']$")


def _keyed(line: str, end: int) -> bool:
    """Is the name ending at `end` a hash's key written with its colon after it (`openid_url: …`), not a
    constant's path (`Module::Name`)?"""
    return line[end : end + 1] == ":" and line[end : end + 2] != "::"


def _request_parameter(line: str, col: int, end: int) -> bool:
    """Is the name at `col` a key of a route helper's arguments on this line (`auth_path(:openid_url => …)`,
    `user_path(openid_url: …)`), or the first argument of a form tag helper (`text_field_tag("openid_url"`)?"""
    before = line[:col]
    if _FORM_TAG.search(before) or _HTML_OPTION.search(before):
        return True
    key = (before.endswith(":") and not before.endswith("::") and re.match(r"\s*=>", line[end:])) or _keyed(
        line, end
    )
    if not key:
        return False
    routes = list(_ROUTE_CALL.finditer(before))
    if not routes:
        return False
    between = before[routes[-1].end() :]  # the key is the call's own, not a nested hash's or a later call's
    return between.count("(") >= between.count(")") and "{" not in between


_RUBY_TABLE_CALL = re.compile(
    r"\b(?:joins|left_joins|left_outer_joins|includes|preload|eager_load|references|has_many|has_one"
    r"|belongs_to|has_and_belongs_to_many|from|table|table_name|arel_table|create_table|drop_table"
    r"|rename_table|change_table|add_column|remove_column|add_index|add_reference|add_foreign_key"
    r"|execute|exec_query|select_all|select_value|select_values|find_by_sql|connection|quote_table_name"
    r"|insert_all|upsert_all|delete_all|update_all|where|Table)\b"
)
_PY_CLASS_BASES = re.compile(r"class\s+\w+\s*\(([^)]*)\)\s*:")
_NOT_ROW_BASE = re.compile(r"(?:View|ViewSet|TestCase|Command)\s*(?:,|$)")
_IN_OBJECT = re.compile(r"\s+in\s+([\w$]+(?:\??\.[\w$]+)*)")  # `'itemId' in previewingEdge.from`
_CONSTANT = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{2,}[0-9]*")  # `COLOR_DEFAULTS`, `CONFIG`
_ITERATES = r"(?:map|every|some|filter|find|findLast|forEach|flatMap|reduce|findIndex|sort|toSorted)"


def _collection_of(text: str, owner: str) -> tuple[str, bool]:
    """The collection whose items `owner` is bound to at the end of `text`, the last name of a callback's
    receiver (`model.modelVersions.every((version) =>`) or of a loop (`for (const version of
    model.modelVersions)`, `for version in model.versions.all():`), and whether it is read as a member of
    another value (`model.` before it); "" when `owner` is bound no such way."""
    if not any(f in text for f in (f"({owner}", f" {owner} =>", f"for {owner} in", f" {owner} of ")):
        return "", False  # bound by no callback or loop: most owners
    found = (-1, "", False)
    for pattern in _BINDINGS:
        for match in pattern.finditer(text):
            if match.group("name") == owner:
                member = text[: match.start("items")].rstrip().endswith(".")
                found = max(found, (match.start(), match.group("items"), member))
    return found[1], found[2]


def _found_in(before: str) -> str:
    """The collection an item is looked up in by a call just before a member read (`question.choices.find(
    (c) => c.id === id)?.` ends `before`): its name where it is read as a member of another value, else ""."""
    text = before.rstrip()
    for dot in ("?.", "."):
        if text.endswith(dot):
            text = text[: -len(dot)].rstrip()
            break
    else:
        return ""
    if not text.endswith(")"):
        return ""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            looked_up = _LOOKED_UP.search(text, 0, i)
            return looked_up.group(1) if looked_up else ""
    return ""


# `.choices.find(`, `?.items.at(` just before the call's parenthesis: the collection an item is taken from
_LOOKED_UP = re.compile(r"\.\s*([\w$]+)\s*\??\.\s*(?:find|findLast|at)\s*$")
# `value as TSurveyQuestion`, `value as Prisma.Foo[]` at the end of a declaration's value: the type cast to
_CAST = re.compile(r"\bas\s+([\w$.]+)\s*(?:<[^<>]*>)?\s*(?:\[\s*\])?\s*$")
# Words for rows of any kind: a collection of that name may hold the target's rows (`page.items`)
_CONTAINERS = frozenset(
    {"items", "data", "results", "rows", "records", "nodes", "edges", "list", "entries", "values", "docs",
     "objects", "all", "hits", "elements", "children", "members", "collection", "page", "content"}
)  # fmt: skip


# The ways a name is bound to the items of a collection: a callback's first parameter, a loop's variable.
# One pattern of each, the name captured and compared (a pattern per name was compiled for each of a few
# hundred names a review asks about, more than `re`'s own cache keeps).
# (The receiver is matched from the start of its word only, and `\bfor` is written to start with its letter:
# the same matches, found three times as fast as trying every character of every word.)
_BINDINGS = (
    re.compile(
        rf"(?<![\w$])(?P<items>[\w$]+)\s*\??\.\s*{_ITERATES}\(\s*(?:async\s*)?\(?\s*(?P<name>[\w$]+)\s*(?:[:,)]|=>)"
    ),
    re.compile(
        r"f(?<!\wf)or\s*\(\s*(?:const|let|var)\s+(?P<name>[\w$]+)\s+of\s+[\w$.?]*?(?P<items>[\w$]+)\s*\)"
    ),
    re.compile(r"f(?<!\wf)or\s+(?P<name>\w+)\s+in\s+[\w.]*?(?P<items>\w+)(?:\.all\(\))?\s*[:\]]"),
)


def _maps_table(cls: str, body: str, table: str) -> bool:
    """May the Python model class `cls` (its body given) map `table`: by its own declaration
    (`__tablename__`, `db_table`), or else by a convention (`PluginInstance` for `plugin_instance`, Django's
    `Article` of the app `blog` for `blog_article`, a plural `orders` for `Order`)?"""
    wanted = table.lower().rpartition(".")[2]
    declared = _TABLE_DECLARED.search(body)
    if declared is not None:
        return declared.group(1).lower().rpartition(".")[2] == wanted
    names = {underscore(cls), cls.lower()}
    plurals = {f"{n}s" for n in names} | {f"{n}es" for n in names} | {singularize(wanted)}
    return bool(names & ({wanted} | plurals)) or any(wanted.endswith(f"_{n}") for n in names)


def _row_owner(owner: str) -> frozenset[str]:
    """The name a member is read from, kept with a low place of a name other tables share, so that the
    search can judge it again once it learns the models that declare their table (`invoice.memo` of
    `class Invoice` with `db_table = "billing_records"`); nothing for a path or a call's result."""
    return frozenset((owner,)) if owner.isidentifier() and owner[:1].islower() else frozenset()


def _copied_member(after: str, word: str) -> bool:
    """Is `after`, the rest of a line after a key named `word`, a value read as a member of the same name
    (`: project.styling.brandColor?.light`, `: user.memberships[0].role`)? The key copies a value; the
    member it is read from is judged on its own."""
    return (
        bool(word)
        and after.startswith(":")
        and re.search(rf"[\w$)\]]\??\.{re.escape(word)}(?![\w$])", after) is not None
    )


def _union_member(line: str, col: int, end: int) -> bool:
    """Is line[col:end] a quoted member of a TypeScript union of string literals (`'a' | 'b'`)?"""
    quote = line[col - 1 : col]
    if quote not in ("'", '"') or line[end : end + 1] != quote:
        return False
    before, after = line[: col - 1].rstrip(), line[end + 1 :].lstrip()
    return (before.endswith("|") and not before.endswith("||")) or (
        after.startswith("|") and not after.startswith("||")
    )


def _last(pattern: re.Pattern[str], text: str, start: int, end: int) -> re.Match[str] | None:
    """The last match of `pattern` in `text[start:end]`."""
    found = None
    for found in pattern.finditer(text, start, end):  # noqa: B007
        pass
    return found


_GO_FUNC = re.compile(r"^func\b", re.M)
_GO_STRUCT = re.compile(r"^type[ \t]+([A-Z]\w*)[ \t]+struct[ \t]*\{", re.M)
_FIRST_STRING = re.compile(r"""\s*['"`]([\w$]+)['"`]""")


def _mentions(head: str, names: frozenset[str]) -> bool:
    """Is the call a query on the model: a query method of the model, a row of it or a store of them
    (`Order.create`, `this.orderRepository.save`, `knex('orders').insert`)?"""
    chain = callee_chain(head) or ""
    if _QUERY_VERB.match(chain.rpartition(".")[2]) is None:
        return False
    call = _STORE_CALL.search(head[-120:])
    return call is not None and _mention_pattern(names).search(call.group(1)) is not None


@lru_cache(maxsize=256)
def _mention_pattern(names: frozenset[str]) -> re.Pattern[str]:
    """One of the names as a word of a call's receiver, in any case of its first letter."""
    parts = [
        rf"(?:(?<![A-Za-z0-9_$])[{name[0].lower()}{name[0].upper()}]|{name[0].upper()}){re.escape(name[1:])}"
        for name in sorted(names)
        if len(name) >= 3 and name[:1].isalpha()
    ]
    return re.compile("(?:" + "|".join(parts or ["(?!)"]) + ")" + _CALL_END)
