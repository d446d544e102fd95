"""
linal client helpers: the tensor type's text and binary forms as numpy arrays.

A tensor is a float32 array of rank 0 to 8. Its text form is nested brackets
of numbers (valid JSON, "3.5" for rank 0); its binary form (COPY BINARY and
drivers using binary results) is big-endian
    int16 ndim, int16 element type (0), int32 dims[ndim], float4 data[numel].

Driver glue lives in submodules that import their driver lazily:
    linal.psycopg     psycopg 3 (register_tensor, binary COPY helpers)
    linal.psycopg2    psycopg2 (register_tensor)
    linal.sqlalchemy  SQLAlchemy type Tensor(*shape) with distance comparators
"""

import json
import struct

import numpy as np

__all__ = ["MAX_RANK", "tensor", "to_text", "from_text", "to_binary", "from_binary"]

MAX_RANK = 8
ELEMENT_FLOAT4 = 0
_HEADER = struct.Struct(">hh")
_FLOAT4_BE = np.dtype(">f4")


def tensor(value):
    """Returns value (a nested list, number, tuple or array) as a float32 ndarray.

    float64 and integer input is converted to float32 (values outside float32
    become infinities, which the server refuses). Ragged lists raise ValueError.
    """
    if isinstance(value, np.ndarray) and value.dtype == np.float32:
        return value
    try:
        with np.errstate(over="ignore"):
            arr = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ValueError("a tensor must be a rectangular nested list of numbers") from exc
    if arr.dtype != np.float32:
        raise ValueError("a tensor must hold numbers")
    return arr


def _check_rank(arr):
    if arr.ndim > MAX_RANK:
        raise ValueError("a tensor has at most %d dimensions, not %d" % (MAX_RANK, arr.ndim))


def to_text(value):
    """The text form of value, e.g. "[[1,2],[3,4]]"."""
    arr = tensor(value)
    _check_rank(arr)
    # tolist() gives Python floats holding the exact float32 values; their
    # repr reads back to the same float32. NaN and inf are written as NaN and
    # Infinity so that the server refuses them (22P02) rather than us guessing.
    return _format(arr.tolist())


def _format(item):
    if isinstance(item, list):
        return "[" + ",".join(_format(x) for x in item) + "]"
    if item != item:
        return "NaN"
    if item in (float("inf"), float("-inf")):
        return "Infinity" if item > 0 else "-Infinity"
    return repr(item)


def from_text(text):
    """A float32 ndarray from the text form (str, bytes or memoryview)."""
    if isinstance(text, memoryview):
        text = bytes(text)
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("ascii")
    # parse_int=float keeps the sign of "-0", which int() would drop
    return np.array(json.loads(text, parse_int=float), dtype=np.float32)


def to_binary(value):
    """The binary form of value as bytes."""
    arr = tensor(value)
    _check_rank(arr)
    dims = arr.shape
    head = _HEADER.pack(arr.ndim, ELEMENT_FLOAT4) + struct.pack(">%di" % len(dims), *dims)
    return head + np.ascontiguousarray(arr, dtype=_FLOAT4_BE).tobytes()


def from_binary(data):
    """A float32 ndarray from the binary form (bytes or memoryview)."""
    data = bytes(data)
    if len(data) < _HEADER.size:
        raise ValueError("tensor binary message too short")
    ndim, elemtype = _HEADER.unpack_from(data, 0)
    if elemtype != ELEMENT_FLOAT4 or not 0 <= ndim <= MAX_RANK:
        raise ValueError("unknown tensor binary header (rank %d, element type %d)" % (ndim, elemtype))
    offset = _HEADER.size + 4 * ndim
    dims = struct.unpack_from(">%di" % ndim, data, _HEADER.size)
    numel = 1
    for d in dims:
        numel *= d
    if len(data) != offset + 4 * numel:
        raise ValueError("tensor binary message has the wrong length")
    arr = np.frombuffer(data, dtype=_FLOAT4_BE, count=numel, offset=offset)
    return arr.astype(np.float32).reshape(dims)
