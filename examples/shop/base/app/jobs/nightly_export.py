EXPORT_SQL = "SELECT id, status, legacy_status, total FROM orders WHERE created_at > now() - interval '1 day'"


def run(connection):
    with connection.cursor() as cursor:
        cursor.execute(EXPORT_SQL)
        return cursor.fetchall()
