"""SQL a Rails migration runs from where teams keep it: a local holding a heredoc (`sql = <<~SQL … SQL;
execute(sql)`), a constant of a module Rails autoloads (`execute DatabaseFunctions::RATE_LIMIT`, defined in
`lib/`), and statements inside `in_batches` / `find_each` blocks, which run one batch at a time."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [
    {
        "table": "notes",
        "column": "description",
        "source": "note_comments",
        "key": "note_id",
        "module": "NoteSql",
    },
    {
        "table": "tickets",
        "column": "summary",
        "source": "ticket_events",
        "key": "ticket_id",
        "module": "Billing::Sql",
    },
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
    "CREATE TABLE {source} (id bigint PRIMARY KEY, {key} bigint, body text, event text);\n"
)
PATH = "db/migrate/20260101000000_backfill.rb"


def _review(
    names: dict[str, str], body: str, extra: dict[str, str] | None = None, down: str = "", head: str = ""
):  # type: ignore[no-untyped-def]
    model = names["table"].rstrip("s").capitalize()
    text = (
        f"class Backfill < ActiveRecord::Migration[7.2]\n{head}"
        f"  class {model} < ApplicationRecord; end\n\n"
        "  def up\n"
        + body.format(model=model, **names)
        + "  end\n\n  def down\n"
        + down.format(**names)
        + "  end\nend\n"
    )
    base = {"db/migrations/000_schema.sql": SCHEMA.format(**names), **(extra or {})}
    return review_sql(text, path=PATH, base=base, head=extra)


UPDATE = (
    "UPDATE {table} SET {column} = s.body FROM {source} s "
    "WHERE s.{key} = {table}.id AND s.event = 'opened' AND {table}.{column} IS NULL"
)


@pytest.mark.parametrize("names", NAMES)
def test_a_local_heredoc_is_read_where_it_runs(names: dict[str, str]) -> None:
    body = "    sql = <<~SQL.squish\n      " + UPDATE + "\n    SQL\n    execute(sql)\n"
    result = _review(names, body)
    assert not [f for f in result.active if f.rule == "unparsed-statement"]
    batch = [f for f in result.active if f.rule == "unbatched-data-change"]
    assert batch and f"UPDATE {names['table']}" in batch[0].message and batch[0].line == 6


@pytest.mark.parametrize("names", NAMES)
def test_a_statement_inside_in_batches_runs_one_batch_at_a_time(names: dict[str, str]) -> None:
    body = (
        "    {model}.in_batches(of: 1000) do |batch|\n"
        "      ids = batch.pluck(:id)\n"
        "      sql = <<~SQL.squish\n        "
        + UPDATE
        + " AND {table}.id BETWEEN #{{ids.min}} AND #{{ids.max}}\n"
        "      SQL\n"
        "      ActiveRecord::Base.connection.execute(sql)\n"
        "    end\n"
    )
    result = _review(names, body, head="  disable_ddl_transaction!\n")
    assert not [f for f in result.active if f.rule in ("unparsed-statement", "unbatched-data-change")]
    # in the migration's transaction no batch commits before the last: every row stays locked until then
    (batches,) = [f for f in _review(names, body).active if f.rule == "unbatched-data-change"]
    assert "runs batch after batch" in batches.message and batches.severity.value == "warning"


@pytest.mark.parametrize("names", NAMES)
def test_a_constant_of_an_autoloaded_module_is_read(names: dict[str, str]) -> None:
    module = names["module"]
    *outer, last = module.split("::")
    path = "lib/" + "/".join(p.lower() for p in module.split("::")).replace("notesql", "note_sql") + ".rb"
    opening = "".join(f"module {o}\n" for o in outer) + f"module {last}\n"
    closing = "end\n" * (len(outer) + 1)
    lib = (
        opening
        + "  CHANGE = %(\n    ALTER TABLE {table} DROP COLUMN {column};\n  )\n".format(**names)
        + closing
    )
    result = _review(names, "    execute " + module + "::CHANGE\n", {path: lib})
    assert not [f for f in result.active if f.rule == "unparsed-statement"]
    dropped = [f for f in result.active if f.rule == "column-dropped"]
    assert dropped and dropped[0].line == 5 and names["column"] in dropped[0].message
    assert not [r for f in dropped for r in f.references if r.path == path]  # the change's own SQL, no use


@pytest.mark.parametrize("names", NAMES)
def test_sql_built_at_run_time_is_still_said(names: dict[str, str]) -> None:
    result = _review(names, "    execute build_sql(:{table})\n")
    unread = [f for f in result.active if f.rule == "unparsed-statement"]
    assert unread and result.approval == "BLOCKED"


LOOPS = [
    "    {model}.where({column}: nil).find_in_batches(batch_size: 500) do |records|\n"
    '      records.each do |r|\n        r.{column} = "none yet"\n        r.save!(validate: false)\n      end\n    end\n',
    '    {model}.where({column}: nil).find_each do |r|\n      r.update!({column}: "none yet")\n    end\n',
    '    {model}.where({column}: nil).find_each {{ |r| r.update_column(:{column}, "none yet") }}\n',
]


CHECK = (
    '    add_check_constraint :{table}, "{column} IS NOT NULL", name: "{column}_present", validate: false\n'
)
UNCHECK = '    remove_check_constraint :{table}, name: "{column}_present"\n'


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=["assign-and-save", "update", "update_column"])
def test_a_loop_that_fills_empty_values_loses_nothing_on_rollback(names: dict[str, str], loop: str) -> None:
    result = _review(names, loop + CHECK, down=UNCHECK)
    assert not [f for f in result.active if f.rule == "data-lost-on-rollback"]
    assert not [f for f in result.active if f.rule == "unparsed-statement"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=["assign-and-save", "update", "update_column"])
def test_a_loop_that_overwrites_values_is_lost_on_rollback(names: dict[str, str], loop: str) -> None:
    everything = loop.replace(".where({column}: nil)", ".all")
    lost = [
        f
        for f in _review(names, everything + CHECK, down=UNCHECK).active
        if f.rule == "data-lost-on-rollback"
        or (f.rule == "every-row-overwritten" and "does not restore them" in f.message)
    ]
    assert lost and names["table"] in lost[0].message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "write",
    [
        '    row = {model}.find_by({column}: nil)\n    row.update!({column}: "first")\n',
        '    row = {model}.where({column}: nil).first\n    row.{column} = "first"\n    row.save!\n',
        "    row = {model}.find(7)\n    row.destroy\n",
    ],
    ids=["find_by-update", "first-assign-save", "find-destroy"],
)
def test_a_fetched_row_written_is_one_row(names: dict[str, str], write: str) -> None:
    """`row = Model.find_by(…)` then `row.update!(…)`, `row.save!` or `row.destroy`: Active Record writes that
    one row by its key, so the change is read, and is no unbatched change of the table."""
    result = _review(names, write)
    rules = {f.rule for f in result.active}
    assert "unbatched-data-change" not in rules and "unparsed-statement" not in rules, rules
    assert result.approval == "BLOCKED"  # a data change: its values are to be checked in production
    assert "production values not verified" in " ".join(result.reasons)


@pytest.mark.parametrize("names", NAMES)
def test_a_batched_change_needs_no_statement_timeout(names: dict[str, str]) -> None:
    """`statement_timeout` bounds one statement: each batch of `in_batches` is one, short; the unbatched
    UPDATE of the whole table is the long one."""
    batched = "    {model}.where({column}: nil).in_batches(of: 500) do |batch|\n      batch.update_all({column}: 'x')\n    end\n"
    assert not [f for f in _review(names, batched).active if f.rule == "missing-statement-timeout"]
    whole = "    {model}.where({column}: nil).update_all({column}: 'x')\n"
    assert [f for f in _review(names, whole).active if f.rule == "missing-statement-timeout"]


@pytest.mark.parametrize("names", NAMES)
def test_a_saves_options_are_no_columns(names: dict[str, str]) -> None:
    """`row.save!(validate: false)` writes the attributes set on the row, not a column `validate`."""
    from bot.frameworks import rails
    from bot.model.changeset import MemoryTree
    from bot.model.migration import DataUpdate

    model = names["table"].rstrip("s").capitalize()
    body = f'    row = {model}.find(7)\n    row.{names["column"]} = "first"\n    row.save!(validate: false)\n'
    text = f"class Fix < ActiveRecord::Migration[7.2]\n  def up\n{body}  end\nend\n"
    migration = rails.parse(PATH, text, MemoryTree(), "postgres")
    assert [op.assignments for op in migration.up if isinstance(op, DataUpdate)] == [
        ((names["column"], "'first'"),)
    ]


@pytest.mark.parametrize("names", NAMES)
def test_adjacent_string_literals_are_one_statement(names: dict[str, str]) -> None:
    # `execute "…" \` with the rest on the next line: Ruby joins the two literals into one string
    body = (
        '    execute "UPDATE {table} SET {column} = lower({column}) " \\\n'
        '            "WHERE id BETWEEN 1 AND 500"\n'
    )
    result = _review(names, body)
    assert not [f for f in result.active if f.rule in ("unparsed-statement", "unreadable-migration")]
    said = [f.message for f in result.active if f.rule == "missing-down-migration"]
    assert (
        said
        and f"UPDATE {names['table']} SET {names['column']} = lower({names['column']}) WHERE id" in said[0]
    )


@pytest.mark.parametrize("names", NAMES)
def test_a_local_string_interpolated_into_executed_sql_is_read(names: dict[str, str]) -> None:
    body = (
        '    condition = "WHERE a.{key} = b.{key} AND a.id > b.id"\n'
        '    execute("DELETE FROM {source} AS a USING {source} AS b #{{condition}}")\n'
    )
    result = _review(names, body)
    assert not [f for f in result.active if f.rule == "unparsed-statement"]
    said = [f.message for f in result.active if f.rule == "unbatched-data-change"]
    assert (
        said and f"a.{names['key']} = b.{names['key']} AND a.id > b.id" in said[0]
    )  # the DELETE was read whole
    # a local changed after it was set holds text the review does not know: the statement stays unread
    changed = body.replace("    execute", '    condition += " AND a.body IS NULL"\n    execute')
    assert [f for f in _review(names, changed).active if f.rule == "unparsed-statement"]


@pytest.mark.parametrize("names", NAMES)
def test_a_local_fragment_of_sql_with_quoted_values_is_pasted_where_it_runs(names: dict[str, str]) -> None:
    """`where = "WHERE s.event = 'opened' AND …"; execute "DELETE FROM t USING s #{where}"`: the fragment's quotes
    are literals of the SQL it adds, so the DELETE has its WHERE (not "no WHERE: every row"). A value with an odd
    quote, or pasted inside a quoted string of the SQL, is still a value the code computes."""
    body = (
        "    tied = \"WHERE {source}.{key} = {table}.id AND {source}.event = 'opened' \" \\\n"
        '           "AND {table}.{column} IS NULL"\n'
        '    execute "DELETE FROM {table} USING {source} #{{tied}}"\n'
    )
    result = _review(names, body)
    rules = {f.rule for f in result.active}
    assert not {"delete-join-untied"} & rules
    assert not [f for f in result.active if f.rule == "unbatched-data-change" and "no WHERE" in f.message]
    quoted = '    note = "it\'s"\n    execute "UPDATE {table} SET {column} = \'#{{note}}\' WHERE id = 1"\n'
    parsed = _review(names, quoted)
    assert not [f for f in parsed.active if f.rule == "unparsed-statement"]
