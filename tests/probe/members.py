"""A membership database with skewed data for the probe's assumption tests: a lookup table whose labels
the default policy hides (`name`), case-variant e-mails kept only on deleted rows, orphan team IDs, a
mostly-unique column with 1 % NULLs, and a target column still empty. Each case below is a pair of
migrations, one that production's data breaks and one it does not."""

from __future__ import annotations

from typing import Any

ROWS = 60_000

POSTGRES = [
    "CREATE TABLE statuses (id integer PRIMARY KEY, name text NOT NULL)",
    "INSERT INTO statuses VALUES (1, 'active'), (2, 'suspended'), (3, 'closed')",
    "CREATE TABLE teams (id integer PRIMARY KEY, title text)",
    "INSERT INTO teams SELECT g, 'team ' || g FROM generate_series(1, 100) g",
    "CREATE TABLE members (id bigint PRIMARY KEY, status text, status_id integer REFERENCES statuses (id),"
    " email text, deleted_at timestamptz, team_id integer, home_team_id integer, tier text, nickname text,"
    " score integer)",
    f"""INSERT INTO members
        SELECT g,
               CASE WHEN g % 50 = 0 THEN 'closed' WHEN g % 10 = 0 THEN 'suspended' ELSE 'active' END,
               NULL,
               CASE WHEN g % 9000 = 0 THEN 'Twin' || (g / 9000) || '@example.com'
                    WHEN g % 9000 = 1 THEN 'twin' || (g / 9000) || '@example.com'
                    ELSE 'm' || g || '@example.com' END,
               CASE WHEN g % 9000 = 1 THEN now() END,
               CASE WHEN g % 4999 = 0 THEN 5000 + g ELSE g % 100 + 1 END,
               g % 100 + 1,
               NULL,
               CASE WHEN g % 100 = 7 THEN NULL ELSE 'nick' || (g % 3000) END,
               CASE WHEN g % 7919 = 0 THEN -g ELSE g % 1000 END
        FROM generate_series(1, {ROWS}) g""",
    "ANALYZE statuses",
    "ANALYZE teams",
    "ANALYZE members",
]

MYSQL = [
    "CREATE TABLE statuses (id integer PRIMARY KEY, name varchar(40) NOT NULL)",
    "INSERT INTO statuses VALUES (1, 'active'), (2, 'suspended'), (3, 'closed')",
    "CREATE TABLE teams (id integer PRIMARY KEY, title varchar(40))",
    "INSERT INTO teams SELECT seq, CONCAT('team ', seq) FROM seq_1_to_100",
    "CREATE TABLE members (id bigint PRIMARY KEY, status varchar(20), status_id integer, email varchar(100),"
    " deleted_at datetime, team_id integer, home_team_id integer, tier varchar(20), nickname varchar(40),"
    " score integer,"
    " FOREIGN KEY (status_id) REFERENCES statuses (id))",
    f"""INSERT INTO members
        SELECT seq,
               CASE WHEN seq % 50 = 0 THEN 'closed' WHEN seq % 10 = 0 THEN 'suspended' ELSE 'active' END,
               NULL,
               CASE WHEN seq % 9000 = 0 THEN CONCAT('twin', seq DIV 9000, '@example.com')
                    WHEN seq % 9000 = 1 THEN CONCAT('twin', seq DIV 9000, '@example.com')
                    ELSE CONCAT('m', seq, '@example.com') END,
               CASE WHEN seq % 9000 = 1 THEN NOW() END,
               CASE WHEN seq % 4999 = 0 THEN 5000 + seq ELSE seq % 100 + 1 END,
               seq % 100 + 1,
               NULL,
               CASE WHEN seq % 100 = 7 THEN NULL ELSE CONCAT('nick', seq % 3000) END,
               CASE WHEN seq % 7919 = 0 THEN -seq ELSE seq % 1000 END
        FROM seq_1_to_{ROWS}""",
    "ANALYZE TABLE statuses, teams, members",
]

BATCHES = "".join(
    f"UPDATE members SET tier = CASE status WHEN 'active' THEN 'a' WHEN 'suspended' THEN 's'{{otherwise}} END"
    f" WHERE {{guard}}id BETWEEN {start} AND {start + 19_999};\n"
    for start in (1, 20_001, 40_001)
)

# (name, hazardous migration, the rule it must raise, safe migration); PostgreSQL and MySQL alike
BOTH = [
    (
        "set-id-with-hidden-label",
        "UPDATE members SET status_id = 2 WHERE status = 'active' AND id BETWEEN 1 AND 60000;\n",
        "production-id-mismatch",
        "UPDATE members SET status_id = 1 WHERE status = 'active' AND id BETWEEN 1 AND 60000;\n",
    ),
    (
        "case-ids-with-hidden-labels",
        "UPDATE members SET status_id = CASE status WHEN 'active' THEN 1 WHEN 'closed' THEN 2 END"
        " WHERE status IN ('active', 'closed') AND id BETWEEN 1 AND 60000;\n",
        "production-id-mismatch",
        "UPDATE members SET status_id = CASE status WHEN 'active' THEN 1 WHEN 'closed' THEN 3 END"
        " WHERE status IN ('active', 'closed') AND id BETWEEN 1 AND 60000;\n",
    ),
    (
        "values-id",
        "INSERT INTO members (id, status, status_id) VALUES (900001, 'active', 7);\n",
        "production-id-mismatch",
        "INSERT INTO members (id, status, status_id) VALUES (900001, 'closed', 3);\n",
    ),
    (
        "batched-backfill",
        BATCHES.format(otherwise="", guard=""),
        "unmapped-production-value",
        BATCHES.format(otherwise=" ELSE NULL", guard="tier IS NULL AND "),
    ),
    (
        "batch-range",
        "UPDATE members SET tier = CASE status WHEN 'active' THEN 'a' WHEN 'suspended' THEN 's' END"
        " WHERE id BETWEEN 1 AND 100;\n",
        "unmapped-production-value",
        "UPDATE members SET tier = CASE status WHEN 'active' THEN 'a' WHEN 'suspended' THEN 's' END"
        " WHERE id BETWEEN 1 AND 49;\n",
    ),
]

POSTGRES_ONLY = [
    (
        "validate-check",
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE members ADD CONSTRAINT members_score CHECK (score >= 0) NOT VALID;\n"
        "ALTER TABLE members VALIDATE CONSTRAINT members_score;\n",
        "rows-violating-check",
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE members ADD CONSTRAINT members_score CHECK (score < 100000) NOT VALID;\n"
        "ALTER TABLE members VALIDATE CONSTRAINT members_score;\n",
    ),
    (
        "unique-expression",
        "CREATE UNIQUE INDEX CONCURRENTLY members_email ON members (lower(email));\n",
        "duplicates-before-unique",
        "CREATE UNIQUE INDEX CONCURRENTLY members_email ON members (email);\n",
    ),
    (
        "unique-partial",
        "CREATE UNIQUE INDEX CONCURRENTLY members_email ON members (lower(email)) WHERE status <> 'suspended';\n",
        "duplicates-before-unique",
        "CREATE UNIQUE INDEX CONCURRENTLY members_email ON members (lower(email)) WHERE deleted_at IS NULL;\n",
    ),
    (
        "validate-foreign-key",
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE members ADD CONSTRAINT members_team FOREIGN KEY (team_id) REFERENCES teams (id) NOT VALID;\n"
        "ALTER TABLE members VALIDATE CONSTRAINT members_team;\n",
        "orphans-before-foreign-key",
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE members ADD CONSTRAINT members_team FOREIGN KEY (home_team_id) REFERENCES teams (id)"
        " NOT VALID;\n"
        "ALTER TABLE members VALIDATE CONSTRAINT members_team;\n",
    ),
]

MYSQL_ONLY = [
    (
        "check",
        "SET SESSION lock_wait_timeout = 5;\nALTER TABLE teams ADD CONSTRAINT teams_id CHECK (id > 50);\n",
        "rows-violating-check",
        "SET SESSION lock_wait_timeout = 5;\nALTER TABLE teams ADD CONSTRAINT teams_id CHECK (id > 0);\n",
    ),
    (
        "unique-column",
        "CREATE UNIQUE INDEX members_email ON members (email);\n",
        "duplicates-before-unique",
        "CREATE UNIQUE INDEX members_nick ON members (id, nickname);\n",
    ),
    (
        "foreign-key",
        "ALTER TABLE members ADD CONSTRAINT members_team FOREIGN KEY (team_id) REFERENCES teams (id);\n",
        "orphans-before-foreign-key",
        "SET SESSION lock_wait_timeout = 5;\nSET foreign_key_checks = 0;\n"
        "ALTER TABLE members ADD CONSTRAINT members_team FOREIGN KEY (home_team_id) REFERENCES teams (id);\n"
        "SET foreign_key_checks = 1;\n",
    ),
]


def fill_postgres(connection: Any) -> str:
    from tests.conftest import PG_DSN

    for statement in POSTGRES:
        connection.execute(statement)
    schema = connection.execute("SELECT current_schema()").fetchone()[0]
    return f"{PG_DSN}?options=-csearch_path%3D{schema}"


def fill_mariadb(connection: Any) -> str:
    from tests.conftest import MARIADB_DSN

    with connection.cursor() as cursor:
        for statement in MYSQL:
            cursor.execute(statement)
        cursor.execute("SELECT DATABASE()")
        database = cursor.fetchone()[0]
    return f"{MARIADB_DSN.rsplit('/', 1)[0]}/{database}"
