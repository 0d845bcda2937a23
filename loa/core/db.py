"""Database helpers shared by the apps."""

from django.core.exceptions import EmptyResultSet
from django.db import connection


def insert_from(model, columns: list[str], select, constants: tuple = ()) -> None:
    """INSERT INTO model (columns) SELECT constants…, select's columns — in the database, as
    one statement, skipping rows a unique constraint already holds (a second run adds
    nothing). `constants` are bound parameters ahead of the queryset's own columns."""
    try:
        sql, params = select.order_by().query.sql_with_params()
    except EmptyResultSet:  # the selection can match nothing: nothing to insert
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(constants))
    picked = ", ".join(f"chosen.{connection.ops.quote_name(f)}" for f in select.query.values_select)
    statement = (
        f"INSERT INTO {model._meta.db_table} ({names}) "  # noqa: S608 - names from the models
        f"SELECT {marks}{', ' if marks else ''}{picked} FROM ({sql}) AS chosen "
        "WHERE 1 = 1 ON CONFLICT DO NOTHING"  # the WHERE lets SQLite parse ON CONFLICT
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*constants, *params])
