"""Fixed statements on the response path, run through the DBAPI driver.

A hook call writes or reads the database once or twice (issued cards, the repeat guard's keys).
Through SQLAlchemy Core each statement costs ~150 us of Python per execute (statement cache
lookup, execution context, result wrapping); the same SQL through ``exec_driver_sql`` costs
~35 us. `DriverStatement` keeps that path honest: the SQL is written once with ``?`` and
rewritten for the driver's paramstyle, and every value goes through its column's own bind
processor, so what is stored and compared is exactly what Core would store and compare
(SQLite keeps datetimes as text in SQLAlchemy's format; PostgreSQL takes them as they are).
Everything else (schema, reports, feedback) stays on Core.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Column, Connection, CursorResult, Engine


class DriverStatement:
    """One SQL statement with ``?`` placeholders whose values belong to `columns`, in order."""

    def __init__(self, engine: Engine, sql: str, columns: Sequence[Column[Any]]) -> None:
        if sql.count("?") != len(columns):
            raise ValueError("one column per placeholder")
        self.style = engine.dialect.paramstyle
        self.sql = _placeholders(sql, self.style)
        dialect = engine.dialect
        self._processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]

    def params(self, values: Sequence[Any]) -> tuple[Any, ...] | dict[str, Any]:
        """`values` as the driver takes them: processed by their columns' types."""
        row = tuple(v if p is None else p(v) for p, v in zip(self._processors, values, strict=True))
        return {f"p{i}": v for i, v in enumerate(row)} if self.style == "named" else row

    def execute(self, conn: Connection, values: Sequence[Any]) -> CursorResult[Any]:
        """Run once with one row of values."""
        return conn.exec_driver_sql(self.sql, self.params(values))

    def execute_many(self, conn: Connection, rows: Iterable[Sequence[Any]]) -> None:
        """Run once per row (the driver's executemany)."""
        conn.exec_driver_sql(self.sql, [self.params(r) for r in rows])


def _placeholders(sql: str, style: str) -> str:
    parts = sql.split("?")
    if style == "qmark":
        return sql
    marks = {
        "format": lambda i: "%s",
        "pyformat": lambda i: "%s",  # psycopg takes positional %s under pyformat
        "numeric": lambda i: f":{i + 1}",
        "named": lambda i: f":p{i}",
    }.get(style)
    if marks is None:
        raise ValueError(f"unsupported DBAPI paramstyle {style!r}")
    if "%" in sql and style in ("format", "pyformat"):
        raise ValueError("a literal % would need escaping for this driver")
    return "".join(part + (marks(i) if i < len(parts) - 1 else "") for i, part in enumerate(parts))
