"""psycopg2: typecaster, numpy adapter, lists, server errors."""

import unittest

import numpy as np
import psycopg2
import psycopg2.errors

import linal
import linal.psycopg2
from common import SPECIAL, ensure_extension, same, sample, shapes


class Psycopg2Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ensure_extension()

    def setUp(self):
        self.conn = psycopg2.connect("")
        linal.psycopg2.register_tensor(self.conn)
        self.cur = self.conn.cursor()

    def tearDown(self):
        self.conn.close()

    def one(self, query, params=()):
        self.cur.execute(query, params)
        return self.cur.fetchone()[0]

    def test_round_trip_every_rank(self):
        for shape in shapes() + [(3, 0)]:
            with self.subTest(shape=shape):
                want = sample(shape)
                if shape == (3, 0):
                    want = np.zeros((3, 0))
                same(self, self.one("SELECT %s", (want,)), want)

    def test_special_values(self):
        same(self, self.one("SELECT %s", (SPECIAL,)), SPECIAL)
        same(self, self.one("SELECT '[-0, 1e-45]'::tensor"), np.array([-0.0, 1e-45], dtype=np.float32))

    def test_null(self):
        self.assertIsNone(self.one("SELECT NULL::tensor"))

    def test_float64_input(self):
        same(self, self.one("SELECT %s", (np.array([[0.1, 0.2]]),)), [[0.1, 0.2]])

    def test_list_input(self):
        same(self, self.one("SELECT %s", (linal.tensor([[1, 2], [3, 4]]),)), [[1, 2], [3, 4]])
        # a plain list is an SQL ARRAY; an INSERT casts it to the column's tensor type
        self.cur.execute("CREATE TEMP TABLE li (v tensor(2,2))")
        self.cur.execute("INSERT INTO li VALUES (%s)", ([[1.5, 2], [3, 4]],))
        same(self, self.one("SELECT v FROM li"), [[1.5, 2], [3, 4]])

    def test_typmod_columns(self):
        self.cur.execute("CREATE TEMP TABLE tm (v tensor(3), m tensor(2,2))")
        self.cur.execute("INSERT INTO tm VALUES (%s, %s)", (np.ones(3), np.eye(2)))
        same(self, self.one("SELECT m FROM tm"), np.eye(2))
        with self.assertRaises(psycopg2.DataError) as ctx:
            self.cur.execute("INSERT INTO tm (v) VALUES (%s)", (np.ones(4),))
        self.assertEqual(ctx.exception.pgcode, "22000")

    def test_server_errors(self):
        for bad in (np.array([np.nan]), np.array([-np.inf]), np.array([1e39])):
            with self.subTest(bad=bad):
                with self.assertRaises(psycopg2.errors.InvalidTextRepresentation) as ctx:
                    self.cur.execute("SELECT %s", (bad,))
                self.assertEqual(ctx.exception.pgcode, "22P02")
                self.conn.rollback()

    def test_tensor_array(self):
        got = self.one("SELECT ARRAY[%s, '[7]'::tensor]", (np.array([1.0]),))
        self.assertEqual(len(got), 2)
        same(self, got[1], [7])

    def test_cursor_registration(self):
        conn = psycopg2.connect("")
        try:
            cur = conn.cursor()
            linal.psycopg2.register_tensor(cur)
            cur.execute("SELECT '[[1,2]]'::tensor")
            same(self, cur.fetchone()[0], [[1, 2]])
            other = conn.cursor()
            other.execute("SELECT '[1]'::tensor")
            self.assertEqual(other.fetchone()[0], "[1]")
        finally:
            conn.close()

    def test_distance(self):
        self.assertEqual(self.one("SELECT %s <-> %s", (np.array([0, 0]), np.array([3, 4]))), 5.0)


if __name__ == "__main__":
    unittest.main()
