"""
SQLAlchemy support for linal's tensor type.

    from linal.sqlalchemy import Tensor
    class Item(Base):
        __tablename__ = "items"
        id = Column(Integer, primary_key=True)
        v = Column(Tensor(3))            # tensor(3); Tensor() is tensor, Tensor(2, 2) tensor(2,2)
    session.scalars(select(Item).order_by(Item.v.l2_distance([1, 2, 3])).limit(5))

Values go in as numpy arrays, nested lists or numbers and come out as float32
ndarrays. Importing this module registers "tensor" with the PostgreSQL
dialect's ischema_names and teaches its reflection that tensor(r,c) has two
modifiers, so reflecting a tensor(2,2) column gives Tensor(2, 2) instead of
failing on int("2,2").
"""

import functools
import re

import numpy as np
from sqlalchemy.dialects.postgresql import base as pg_base
from sqlalchemy.types import ARRAY, Float, UserDefinedType

import linal

__all__ = ["Tensor"]


class Tensor(UserDefinedType):
    """The tensor type; Tensor(n) and Tensor(r, c) carry the shape modifier."""

    cache_ok = True

    def __init__(self, *shape):
        if len(shape) > 2 or not all(isinstance(d, int) and d >= 1 for d in shape):
            raise ValueError("a tensor column takes no shape, (n) or (r, c) with positive sizes")
        self.shape = tuple(shape)

    def get_col_spec(self, **kw):
        if not self.shape:
            return "tensor"
        return "tensor(%s)" % ",".join(str(d) for d in self.shape)

    def bind_processor(self, dialect):
        def process(value):
            if value is None or isinstance(value, str):
                return value
            return linal.to_text(value)

        return process

    def literal_processor(self, dialect):
        def process(value):
            return "'%s'" % linal.to_text(value)

        return process

    def result_processor(self, dialect, coltype):
        def process(value):
            if value is None or isinstance(value, np.ndarray):
                return value  # NULL, or a driver caster already made the array
            return linal.from_text(value)

        return process

    class comparator_factory(UserDefinedType.Comparator):
        def l2_distance(self, other):
            return self.op("<->", return_type=Float)(other)

        def cosine_distance(self, other):
            return self.op("<=>", return_type=Float)(other)

        def max_inner_product(self, other):
            """Negative inner product (<#>), smaller is closer."""
            return self.op("<#>", return_type=Float)(other)

        def l1_distance(self, other):
            return self.op("<+>", return_type=Float)(other)


# "tensor(2,2)", "tensor(3)[]", "public.tensor" (outside the search_path)
_TENSOR_TYPE = re.compile(r'^(?:"?[^"().]+"?\.)?"?tensor"?(?:\(\s*(\d+(?:\s*,\s*\d+)*)\s*\))?((?:\[\])*)$')


def _split_shape(format_type):
    """(format_type as the dialect can read it, Tensor shape or None if not a tensor)."""
    m = _TENSOR_TYPE.match(format_type or "")
    if not m:
        return format_type, None
    shape = tuple(int(d) for d in re.split(r"\s*,\s*", m.group(1))) if m.group(1) else ()
    return "tensor" + m.group(2), shape


def _with_shape(coltype, shape):
    if isinstance(coltype, ARRAY):
        coltype.item_type = Tensor(*shape)
        return coltype
    return Tensor(*shape)


def _patch_reflection():
    dialect = pg_base.PGDialect
    if getattr(dialect, "_linal_patched", False):
        return
    if hasattr(dialect, "_reflect_type"):  # SQLAlchemy 2.0
        original = dialect._reflect_type

        @functools.wraps(original)
        def reflect_type(self, format_type, *args, **kwargs):
            stripped, shape = _split_shape(format_type)
            coltype = original(self, stripped, *args, **kwargs)
            return coltype if shape is None else _with_shape(coltype, shape)

        dialect._reflect_type = reflect_type
    else:  # SQLAlchemy 1.4
        original = dialect._get_column_info

        @functools.wraps(original)
        def get_column_info(self, name, format_type, *args, **kwargs):
            stripped, shape = _split_shape(format_type)
            column = original(self, name, stripped, *args, **kwargs)
            if shape is not None:
                column["type"] = _with_shape(column["type"], shape)
            return column

        dialect._get_column_info = get_column_info
    dialect._linal_patched = True


pg_base.ischema_names["tensor"] = Tensor
_patch_reflection()
