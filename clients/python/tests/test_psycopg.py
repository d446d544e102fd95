"""psycopg 3: text and binary adapters, async connections, binary COPY, server errors."""

import asyncio
import unittest

import numpy as np
import psycopg

import linal
import linal.psycopg
from common import SPECIAL, ensure_extension, same, sample, shapes

# (cursor binary results?, placeholder): every mix of the two protocols
PROTOCOLS = [(False, "%t"), (False, "%b"), (True, "%t"), (True, "%b"), (False, "%s"), (True, "%s")]


class PsycopgTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ensure_extension()

    def setUp(self):
        self.conn = psycopg.connect()
        linal.psycopg.register_tensor(self.conn)

    def tearDown(self):
        self.conn.close()

    def round_trip(self, value, binary, placeholder):
        cur = self.conn.cursor(binary=binary)
        return cur.execute("SELECT %s::tensor" % placeholder, [value]).fetchone()[0]

    def test_round_trip_every_rank(self):
        for shape in shapes():
            for binary, placeholder in PROTOCOLS:
                with self.subTest(shape=shape, binary=binary, placeholder=placeholder):
                    same(self, self.round_trip(sample(shape), binary, placeholder), sample(shape))

    def test_special_values(self):
        for binary, placeholder in PROTOCOLS:
            with self.subTest(binary=binary, placeholder=placeholder):
                same(self, self.round_trip(SPECIAL, binary, placeholder), SPECIAL)
        # the server's own text of -0 and a denormal reads back exactly
        row = self.conn.execute("SELECT '[-0, 1e-45, 3.4028235e38]'::tensor").fetchone()
        same(self, row[0], np.array([-0.0, 1e-45, 3.4028235e38], dtype=np.float32))

    def test_empty_shape_is_canonical(self):
        # (0,5) has no text form of its own: the server keeps dimensions up to the first zero
        same(self, self.round_trip(np.zeros((0, 5)), True, "%b"), np.zeros((0,)))
        same(self, self.round_trip(np.zeros((2, 0)), False, "%t"), np.zeros((2, 0)))

    def test_null(self):
        for binary in (False, True):
            cur = self.conn.cursor(binary=binary)
            self.assertIsNone(cur.execute("SELECT NULL::tensor").fetchone()[0])

    def test_float64_and_int_input(self):
        for binary, placeholder in PROTOCOLS:
            with self.subTest(binary=binary, placeholder=placeholder):
                same(self, self.round_trip(np.array([0.1, 2.0]), binary, placeholder), [0.1, 2.0])
                same(self, self.round_trip(np.arange(4).reshape(2, 2), binary, placeholder), [[0, 1], [2, 3]])

    def test_list_input(self):
        same(self, self.round_trip(linal.tensor([[1, 2], [3, 4]]), False, "%s"), [[1, 2], [3, 4]])

    def test_typmod_columns(self):
        cur = self.conn.cursor()
        cur.execute("CREATE TEMP TABLE tm (v tensor(3), m tensor(2,2))")
        cur.execute("INSERT INTO tm VALUES (%s, %b)", [np.ones(3), np.eye(2)])
        same(self, cur.execute("SELECT m FROM tm").fetchone()[0], np.eye(2))
        with self.assertRaises(psycopg.errors.DataException) as ctx:
            cur.execute("INSERT INTO tm (m) VALUES (%b)", [np.ones((3, 2))])
        self.assertEqual(ctx.exception.sqlstate, "22000")

    def test_server_errors(self):
        for placeholder, state in (("%t", "22P02"), ("%b", "22P03")):
            for bad in (np.array([np.nan]), np.array([1.0, np.inf]), np.array([1e39])):
                with self.subTest(placeholder=placeholder, bad=bad):
                    with self.assertRaises(psycopg.DataError) as ctx:
                        self.conn.execute("SELECT %s::tensor" % placeholder, [bad])
                    self.assertEqual(ctx.exception.sqlstate, state)
                    self.conn.rollback()
        with self.assertRaises(psycopg.errors.InvalidTextRepresentation):
            self.conn.execute("SELECT '[1,2'::tensor")

    def test_tensor_array(self):
        for binary in (False, True):
            cur = self.conn.cursor(binary=binary)
            got = cur.execute("SELECT ARRAY[%s::tensor, '[[5,6]]']", [np.array([[1, 2]])]).fetchone()[0]
            self.assertEqual(len(got), 2)
            same(self, got[1], [[5, 6]])

    def test_distance_operator(self):
        got = self.conn.execute("SELECT %s::tensor <-> %s", [np.array([0, 0]), np.array([3, 4])]).fetchone()[0]
        self.assertEqual(got, 5.0)

    def test_binary_copy(self):
        cur = self.conn.cursor()
        cur.execute("CREATE TEMP TABLE cp (id integer, v tensor)")
        rows = [(i, sample(shape)) for i, shape in enumerate(shapes())] + [(100, SPECIAL), (101, None),
                                                                           (102, [[1, 2], [3, 4]])]
        self.assertEqual(linal.psycopg.copy_rows_in(cur, "cp", ["id", "v"], rows, ["integer", "tensor"]), len(rows))
        # checked through the text form, so the binary write is seen by another path
        texts = dict(cur.execute("SELECT id, v::text FROM cp").fetchall())
        self.assertEqual(texts[102], "[[1,2],[3,4]]")
        self.assertIsNone(texts[101])
        same(self, linal.from_text(texts[100]), SPECIAL)
        out = list(linal.psycopg.copy_rows_out(cur, "SELECT id, v FROM cp ORDER BY id", ["integer", "tensor"]))
        self.assertEqual(len(out), len(rows))
        for (want_id, want), (got_id, got) in zip(sorted(rows, key=lambda r: r[0]), out):
            self.assertEqual(want_id, got_id)
            if want is None:
                self.assertIsNone(got)
            else:
                want = np.asarray(want, dtype=np.float32)
                if 0 in want.shape:
                    want = want.reshape(want.shape[:want.shape.index(0) + 1])
                same(self, got, want)

    def test_binary_copy_error(self):
        cur = self.conn.cursor()
        cur.execute("CREATE TEMP TABLE cpe (v tensor(2))")
        with self.assertRaises(psycopg.errors.DataException):
            linal.psycopg.copy_rows_in(cur, "cpe", ["v"], [(np.ones(3),)], ["tensor"])

    def test_cursor_registration(self):
        with psycopg.connect() as conn:
            cur = conn.cursor(binary=True)
            linal.psycopg.register_tensor(cur)
            same(self, cur.execute("SELECT %b::tensor", [np.eye(2)]).fetchone()[0], np.eye(2))
            # only that cursor: the connection still sends arrays as numpy's default (unadaptable)
            self.assertIsInstance(conn.execute("SELECT '[1]'::tensor").fetchone()[0], str)

    def test_missing_extension(self):
        with psycopg.connect() as conn:
            conn.execute("SET search_path = pg_catalog")
            with self.assertRaises(psycopg.ProgrammingError):
                linal.psycopg.register_tensor(conn)


class AsyncPsycopgTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ensure_extension()

    def test_async_round_trip(self):
        async def run():
            conn = await psycopg.AsyncConnection.connect()
            try:
                await linal.psycopg.register_tensor(conn)
                acur = conn.cursor()
                await linal.psycopg.register_tensor_async(acur)
                await acur.execute("SELECT '[[1,2]]'::tensor")
                same(self, (await acur.fetchone())[0], [[1, 2]])
                results = []
                for binary in (False, True):
                    cur = conn.cursor(binary=binary)
                    await cur.execute("SELECT %s::tensor, %t::tensor", [sample((2, 3)), SPECIAL])
                    results.append(await cur.fetchone())
                return results
            finally:
                await conn.close()

        for a, b in asyncio.run(run()):
            same(self, a, sample((2, 3)))
            same(self, b, SPECIAL)


if __name__ == "__main__":
    unittest.main()
