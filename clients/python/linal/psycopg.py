"""
psycopg 3 support for linal's tensor type.

    import psycopg, linal.psycopg
    conn = psycopg.connect(...)
    linal.psycopg.register_tensor(conn)          # or: await register_tensor(aconn)
    conn.execute("INSERT INTO items (v) VALUES (%s)", [np.ones((2, 2))])
    conn.execute("SELECT v FROM items").fetchone()[0]   # float32 ndarray, shape (2, 2)

register_tensor looks the type up by name (it may live in any schema on the
search_path) and installs text and binary dumpers for numpy arrays and text
and binary loaders for tensor and tensor[] results, on that connection only.
"""

import numpy as np
import psycopg
from psycopg import AsyncConnection, AsyncCursor, sql
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo

import linal

__all__ = ["register_tensor", "register_tensor_async", "copy_rows_in", "copy_rows_out"]


class _TensorTextDumper(Dumper):
    format = Format.TEXT

    def dump(self, obj):
        return linal.to_text(obj).encode("ascii")


class _TensorBinaryDumper(Dumper):
    format = Format.BINARY

    def dump(self, obj):
        return linal.to_binary(obj)


class _TensorTextLoader(Loader):
    format = Format.TEXT

    def load(self, data):
        return linal.from_text(data)


class _TensorBinaryLoader(Loader):
    format = Format.BINARY

    def load(self, data):
        return linal.from_binary(data)


def _install(context, info):
    if info is None:
        raise psycopg.ProgrammingError("tensor type not found: run CREATE EXTENSION linal first")
    info.register(context)  # tensor[] loads as a list of arrays
    adapters = context.adapters
    for base in (_TensorTextDumper, _TensorBinaryDumper):
        dumper = type(base.__name__, (base,), {"oid": info.oid, "__module__": __name__})
        adapters.register_dumper(np.ndarray, dumper)
    for base in (_TensorTextLoader, _TensorBinaryLoader):
        adapters.register_loader(info.oid, base)


def _connection(context):
    # the type is looked up on the connection, the adapters set on context
    return context.connection if isinstance(context, (psycopg.Cursor, AsyncCursor)) else context


def register_tensor(context):
    """Registers tensor adapters on a psycopg 3 connection or cursor.

    With an AsyncConnection (or AsyncCursor) it returns a coroutine to await.
    """
    if isinstance(context, (AsyncConnection, AsyncCursor)):
        return register_tensor_async(context)
    _install(context, TypeInfo.fetch(_connection(context), "tensor"))
    return None


async def register_tensor_async(context):
    """register_tensor for an AsyncConnection or AsyncCursor."""
    _install(context, await TypeInfo.fetch(_connection(context), "tensor"))


def copy_rows_in(cursor, table, columns, rows, types):
    """Writes rows with COPY table (columns) FROM STDIN (FORMAT binary).

    types names each column's type ("tensor", "integer", ...), in order; numpy
    arrays and (nested) lists in tensor columns are sent in the binary form,
    through the dumper register_tensor installed. Returns
    the number of rows written.
    """
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(
        sql.Identifier(*table.split(".")) if isinstance(table, str) else table,
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
    )
    count = 0
    with cursor.copy(statement) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def copy_rows_out(cursor, query, types):
    """Yields the rows of COPY (query) TO STDOUT (FORMAT binary) as tuples.

    query is a SELECT (str or psycopg.sql.Composable); types names the type
    of each output column. Tensors come back as float32 ndarrays.
    """
    if isinstance(query, str):
        query = sql.SQL(query)
    statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(query)
    with cursor.copy(statement) as copy:
        copy.set_types(types)
        yield from copy.rows()
