"""Shared values for the client tests: the server comes from PGHOST, PGPORT, PGUSER, PGDATABASE."""

import numpy as np

import psycopg


def ensure_extension():
    with psycopg.connect(autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS linal")


def shapes():
    """One shape per rank 0..8, plus shapes with a zero dimension."""
    return [(), (3,), (2, 3), (2, 1, 3), (1, 2, 1, 2), (2,) * 5, (1, 2) * 3, (1,) * 7 + (3,), (2,) * 8,
            (0,), (2, 0), (3, 1, 0)]


def sample(shape):
    n = int(np.prod(shape)) if shape else 1
    return (np.arange(n, dtype=np.float32) * np.float32(0.1) - np.float32(1.5)).reshape(shape)


# -0, the smallest denormal, the largest denormal, the smallest normal,
# float32 max and min, and numbers whose shortest decimal is long.
SPECIAL = np.array([-0.0, 1e-45, -1e-45, 1.1754942e-38, 1.17549435e-38, 3.4028235e38, -3.4028235e38,
                    0.1, 16777217.0, 1.0000001, 123456.79], dtype=np.float32)


def same(testcase, got, want):
    """Equal shape, dtype float32 and bit-identical values (so -0 differs from 0)."""
    want = np.asarray(want, dtype=np.float32)
    testcase.assertIsInstance(got, np.ndarray)
    testcase.assertEqual(got.dtype, np.float32)
    testcase.assertEqual(got.shape, want.shape)
    testcase.assertEqual(got.tobytes(), want.tobytes())
