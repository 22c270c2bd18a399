"""SQL in code strings read as SQL: a query that really selects or writes the column of that table is a
raw-SQL reference; a string that merely contains the word (a constant, an output alias, the same-named
column of another table) is not."""

from __future__ import annotations

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

SCHEMA = """
CREATE TABLE orders (id bigint PRIMARY KEY, legacy_status text, total int, customer_id bigint, note text);
CREATE TABLE customers (id bigint PRIMARY KEY, name text, legacy_status text);
-- migration
"""
DROP = "ALTER TABLE orders DROP COLUMN legacy_status;"

PYTHON = '''def report(cursor, since):
    cursor.execute("SELECT o.id, o.legacy_status FROM orders o WHERE o.created_at > %s", [since])
    cursor.execute("SELECT c.legacy_status FROM customers c JOIN orders o ON o.customer_id = c.id")
    cursor.execute("SELECT id FROM orders WHERE note = 'legacy_status'")
    cursor.execute("UPDATE orders SET legacy_status = %(s)s WHERE id = %(id)s", {})
    sql = """
        SELECT legacy_status, name
        FROM customers
        WHERE id = %s
    """
'''
RUBY = """class Order < ApplicationRecord
  def self.stale(min_id)
    find_by_sql(<<~SQL)
      SELECT orders.* FROM orders
      WHERE orders.legacy_status = 'old' AND id > #{min_id}
    SQL
  end
end
"""
TYPESCRIPT = """export async function sync(db, id) {
  await db.query(`
    SELECT o.id AS legacy_status
    FROM orders o
  `);
  await db.query(`SELECT legacy_status FROM orders WHERE id = ${id}`);
}
"""
GO = """package store

const byID = `SELECT id, legacy_status FROM orders WHERE id = $1`
const byStatus = "SELECT name FROM customers WHERE legacy_status = ?"
"""
JAVA = """class OrderDao {
  static final String STALE = \"\"\"
      SELECT count(*) FROM orders WHERE legacy_status IS NULL
      \"\"\";
  static final String NAMES = "SELECT legacy_status FROM customers";
}
"""
QUERIES = """-- name: StaleOrders :many
SELECT id FROM orders WHERE legacy_status = 'old';

-- name: CustomerStatus :one
SELECT legacy_status FROM customers WHERE id = $1;
"""


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> dict[str, str]:
    return {f"{r.path}:{r.line}": r.kind for r in finding.references}


def test_queries_that_select_or_write_the_column_are_raw_sql_references() -> None:
    files = {
        "app/services/report.py": PYTHON,
        "app/models/order.rb": RUBY,
        "src/jobs/sync.ts": TYPESCRIPT,
        "internal/store/orders.go": GO,
        "src/main/java/shop/OrderDao.java": JAVA,
        "queries/orders.sql": QUERIES,
    }
    finding = _finding(review_sql(SCHEMA + DROP, base=files), "column-dropped")
    assert _places(finding) == {
        "app/services/report.py:2": "raw-sql",  # o.legacy_status with FROM orders o
        "app/services/report.py:5": "raw-sql",  # UPDATE … SET
        "app/models/order.rb:5": "raw-sql",  # a heredoc with an interpolation
        "src/jobs/sync.ts:6": "job",  # a template literal, in a background job
        "internal/store/orders.go:3": "raw-sql",  # a Go raw string
        "src/main/java/shop/OrderDao.java:3": "raw-sql",  # a Java text block
        "queries/orders.sql:2": "raw-sql",  # a query file (sqlc)
    }
    assert finding.severity is Severity.CRITICAL


def test_a_word_in_a_constant_an_alias_or_another_tables_column_is_not_a_reference() -> None:
    # Each of these strings parses as SQL and names `legacy_status`, but never as orders' column.
    files = {
        "app/services/report.py": PYTHON.replace(
            '    cursor.execute("SELECT o.id, o.legacy_status FROM orders o WHERE o.created_at > %s", [since])\n',
            "",
        ).replace(
            '    cursor.execute("UPDATE orders SET legacy_status = %(s)s WHERE id = %(id)s", {})\n', ""
        ),
        "src/jobs/sync.ts": TYPESCRIPT.replace(
            "  await db.query(`SELECT legacy_status FROM orders WHERE id = ${id}`);\n", ""
        ),
        "internal/store/orders.go": GO.replace(
            "const byID = `SELECT id, legacy_status FROM orders WHERE id = $1`\n", ""
        ),
        "queries/orders.sql": QUERIES.replace("SELECT id FROM orders WHERE legacy_status = 'old';", ""),
    }
    finding = _finding(review_sql(SCHEMA + DROP, base=files), "column-dropped")
    assert finding.references == ()
    assert finding.severity is not Severity.CRITICAL


def test_a_dropped_table_named_in_a_string_constant_is_not_a_reference() -> None:
    code = (
        "def audit(cursor):\n"
        "    cursor.execute(\"INSERT INTO audit_log (kind) VALUES ('customers')\")\n"
        '    cursor.execute("SELECT count(*) FROM customers")\n'
    )
    finding = _finding(
        review_sql(SCHEMA + "DROP TABLE customers;", base={"app/audit.py": code}), "table-dropped"
    )
    assert _places(finding) == {"app/audit.py:3": "raw-sql"}


def test_a_renamed_column_in_sql_that_already_names_the_new_column_is_ready() -> None:
    code = (
        'QUERY = "SELECT o.status FROM orders o JOIN customers c ON c.id = o.customer_id"\n'
        'NAMES = "SELECT c.name AS status FROM customers c"\n'
    )
    result = review_sql(
        SCHEMA + "ALTER TABLE orders RENAME COLUMN legacy_status TO status;", base={"app/q.py": code}
    )
    finding = _finding(result, "column-renamed")
    assert "1 place already uses `status`" in finding.blast_radius


def test_sql_that_does_not_parse_keeps_the_word_search() -> None:
    code = (
        "class Order < ApplicationRecord\n  scope :stale, -> { where(\"legacy_status = ?\", 'old') }\nend\n"
    )
    other = code.replace("class Order", "class Customer")
    files = {"app/models/order.rb": code, "app/models/customer.rb": other}
    finding = _finding(review_sql(SCHEMA + DROP, base=files), "column-dropped")
    # A query fragment: the model's own column; the same fragment in Customer is customers' column.
    assert _places(finding) == {"app/models/order.rb:2": "model"}


# A query written in pieces: the statement the pieces make is read as SQL. `legacy_status` is a column
# of both tables, so only the statement tells whose column each piece names.
PIECES_PY = """def report(cursor, since, table):
    cursor.execute("SELECT o.id, o.legacy_status " + "FROM orders o WHERE o.id > %s", [since])
    cursor.execute(
        "SELECT id, legacy_status "
        "FROM orders "
        "WHERE total > %s",
        [since],
    )
    cursor.execute("SELECT c.legacy_status, c.name " + "FROM customers c WHERE c.id = %s", [since])
    cursor.execute(
        "SELECT legacy_status, name "
        f"FROM customers "
        "WHERE id = " + str(since)
    )
"""
PIECES_RB = """class Report
  def run(id)
    conn.exec(<<~SQL)
      SELECT legacy_status
      FROM #{schema}.orders WHERE id = #{id}
    SQL
    conn.exec("SELECT legacy_status " \\
      "FROM customers WHERE id = 1")
    conn.exec("SELECT legacy_status " +
      "FROM orders WHERE id = " + id.to_s)
  end
end
"""
PIECES_TS = """export async function run(db, id, cols) {
  await db.query("SELECT legacy_status " + "FROM customers WHERE id = $1", [id]);
  await db.query("SELECT total, legacy_status " +
    "FROM orders WHERE id = " + id);
  await db.query(`SELECT ${cols}, legacy_status
     FROM customers WHERE id = ${id}`);
  await db.query(`SELECT ${cols}, legacy_status ` +
     `FROM orders WHERE id = ${id}`);
}
"""
PIECES_GO = """package store

func customerStatus() string {
	return "SELECT legacy_status " +
		"FROM customers WHERE id = $1"
}

func orderStatus() string {
	return "SELECT legacy_status " +
		"FROM orders WHERE id = $1"
}
"""


def test_a_statement_written_in_pieces_is_read_as_one() -> None:
    files = {
        "app/services/report.py": PIECES_PY,
        "app/services/report.rb": PIECES_RB,
        "src/services/run.ts": PIECES_TS,
        "internal/store/q.go": PIECES_GO,
    }
    finding = _finding(review_sql(SCHEMA + DROP, base=files), "column-dropped")
    assert _places(finding) == {
        "app/services/report.py:2": "raw-sql",  # "…" + "…"
        "app/services/report.py:4": "raw-sql",  # adjacent literals over lines
        "app/services/report.rb:4": "raw-sql",  # a heredoc naming the table under an interpolated schema
        "app/services/report.rb:9": "raw-sql",  # "…" + "…" + a value
        "src/services/run.ts:3": "raw-sql",
        "src/services/run.ts:7": "raw-sql",  # template literals joined by +
        "internal/store/q.go:9": "raw-sql",
    }
    assert finding.severity is Severity.CRITICAL


def test_pieces_of_a_statement_about_another_table_are_not_references() -> None:
    keep = {
        "app/services/report.py": "\n".join(
            line for i, line in enumerate(PIECES_PY.splitlines(), 1) if i == 1 or i >= 9
        )
        + "\n",
        "app/services/report.rb": PIECES_RB.replace(
            '    conn.exec("SELECT legacy_status " +\n      "FROM orders WHERE id = " + id.to_s)\n', ""
        ).replace("FROM #{schema}.orders", "FROM #{schema}.customers"),
        "src/services/run.ts": PIECES_TS.replace(
            '  await db.query("SELECT total, legacy_status " +\n    "FROM orders WHERE id = " + id);\n', ""
        ).replace("`FROM orders WHERE", "`FROM customers WHERE"),
        "internal/store/q.go": PIECES_GO.replace('"FROM orders WHERE', '"FROM customers WHERE'),
    }
    finding = _finding(review_sql(SCHEMA + DROP, base=keep), "column-dropped")
    assert finding.references == ()
    assert finding.severity is not Severity.CRITICAL


def test_a_column_inside_a_python_query_string_is_not_a_local_variable() -> None:
    # `legacy_status` bare inside a function's string: the column the query reads, not a local name.
    code = (
        "def stale(cursor, since):\n"
        '    cursor.execute("SELECT legacy_status FROM orders WHERE id > %s", [since])\n'
        '    cursor.execute(f"SELECT legacy_status FROM customers WHERE id > {since}")\n'
    )
    finding = _finding(review_sql(SCHEMA + DROP, base={"app/q.py": code}), "column-dropped")
    assert _places(finding) == {"app/q.py:2": "raw-sql"}


def test_a_query_built_step_by_step_with_plus_equals_is_read_as_one() -> None:
    code = """def stale(cursor, since, only_large):
    sql = "SELECT id, legacy_status "
    sql += "FROM orders "
    if only_large:
        sql += "WHERE total > %s"
    cursor.execute(sql, [since])


def names(cursor):
    query = "SELECT legacy_status "
    query += "FROM customers"
    cursor.execute(query)
"""
    finding = _finding(review_sql(SCHEMA + DROP, base={"app/q.py": code}), "column-dropped")
    assert _places(finding) == {"app/q.py:2": "raw-sql"}
