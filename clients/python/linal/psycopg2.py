"""
psycopg2 support for linal's tensor type.

    import psycopg2, linal.psycopg2
    conn = psycopg2.connect(...)
    linal.psycopg2.register_tensor(conn)
    cur.execute("INSERT INTO items (v) VALUES (%s)", (np.ones((2, 2)),))
    cur.execute("INSERT INTO items (v) VALUES (%s)", (linal.tensor([1, 2, 3]),))

register_tensor installs a typecaster for tensor and tensor[] on the given
connection or cursor (results become float32 ndarrays) and an adapter that
sends numpy arrays as '<text form>'::tensor. psycopg2 adapters are global to
the process, so after it every numpy array passed as a parameter is a tensor;
wrap a list with linal.tensor() to send it as one (a plain list stays an SQL
ARRAY, which an INSERT into a tensor column also accepts through the
real[]/double precision[]/numeric[] -> tensor casts).
"""

import numpy as np
import psycopg2
import psycopg2.extensions as ext

import linal

__all__ = ["register_tensor"]


class _TensorLiteral:
    def __init__(self, value):
        self._text = linal.to_text(value)

    def getquoted(self):
        return ext.QuotedString(self._text).getquoted() + b"::tensor"


def _cast(value, cursor):
    if value is None:
        return None
    return linal.from_text(value)


def register_tensor(conn_or_cursor):
    """Registers the tensor typecaster on conn_or_cursor and the numpy adapter."""
    cur = conn_or_cursor.cursor() if hasattr(conn_or_cursor, "cursor") else conn_or_cursor
    cur.execute("SELECT to_regtype('tensor')::oid, (SELECT typarray FROM pg_type WHERE oid = to_regtype('tensor'))")
    oid, array_oid = cur.fetchone()
    if oid is None:
        raise psycopg2.ProgrammingError("tensor type not found: run CREATE EXTENSION linal first")
    tensor_type = ext.new_type((oid,), "TENSOR", _cast)
    ext.register_type(tensor_type, conn_or_cursor)
    ext.register_type(ext.new_array_type((array_oid,), "TENSOR[]", tensor_type), conn_or_cursor)
    ext.register_adapter(np.ndarray, _TensorLiteral)
