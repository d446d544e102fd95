"""SQLAlchemy: the Tensor type, its distance comparators and reflection of tensor(r,c)."""

import unittest

import numpy as np
import sqlalchemy as sa

from common import ensure_extension, same
from linal.sqlalchemy import Tensor


class SqlalchemyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ensure_extension()
        cls.engine = sa.create_engine("postgresql+psycopg2://")
        with cls.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS linal_sa CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA linal_sa"))

    @classmethod
    def tearDownClass(cls):
        with cls.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA linal_sa CASCADE"))
        cls.engine.dispose()

    def setUp(self):
        self.meta = sa.MetaData(schema="linal_sa")
        self.items = sa.Table("items", self.meta, sa.Column("id", sa.Integer, primary_key=True),
                              sa.Column("v", Tensor(3)), sa.Column("m", Tensor(2, 2)), sa.Column("any", Tensor()))
        with self.engine.begin() as conn:
            self.meta.drop_all(conn)
            self.meta.create_all(conn)
            conn.execute(self.items.insert(), [
                dict(id=1, v=[1, 0, 0], m=np.eye(2), any=np.float32(2.5)),
                dict(id=2, v=np.array([0.0, 1.0, 0.0]), m=[[1, 2], [3, 4]], any=np.zeros((2, 0))),
                dict(id=3, v=[1, 1, 0], m=None, any=None),
            ])

    def test_ddl(self):
        ddl = str(sa.schema.CreateTable(self.items).compile(self.engine))
        self.assertIn("v tensor(3)", ddl)
        self.assertIn("m tensor(2,2)", ddl)
        self.assertIn('"any" tensor,', ddl)

    def test_values_out(self):
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(self.items).order_by(self.items.c.id)).all()
        same(self, rows[0].v, [1, 0, 0])
        same(self, rows[1].m, [[1, 2], [3, 4]])
        same(self, rows[0].any, np.float32(2.5))
        same(self, rows[1].any, np.zeros((2, 0)))
        self.assertIsNone(rows[2].m)

    def distances(self, method, query):
        col = self.items.c.v
        d = getattr(col, method)(query)
        with self.engine.connect() as conn:
            return conn.execute(sa.select(self.items.c.id, d).order_by(d, self.items.c.id)).all()

    def test_distance_comparators(self):
        q = [1, 1, 0]
        self.assertEqual([r[0] for r in self.distances("l2_distance", q)], [3, 1, 2])
        self.assertAlmostEqual(self.distances("l2_distance", q)[1][1], 1.0)
        self.assertEqual(self.distances("l1_distance", np.array([1.0, 0, 0]))[2], (2, 2.0))
        self.assertEqual([r[0] for r in self.distances("cosine_distance", q)][0], 3)
        ip = self.distances("max_inner_product", q)
        self.assertEqual(ip[0], (3, -2.0))

    def test_operator_strings(self):
        col = self.items.c.v
        for method, op in (("l2_distance", "<->"), ("cosine_distance", "<=>"),
                           ("max_inner_product", "<#>"), ("l1_distance", "<+>")):
            self.assertIn(op, str(getattr(col, method)([1, 2, 3]).compile(self.engine)))

    def test_typmod_enforced(self):
        with self.assertRaises(sa.exc.DataError) as ctx:
            with self.engine.begin() as conn:
                conn.execute(self.items.insert(), dict(id=9, v=[1, 2]))
        self.assertEqual(ctx.exception.orig.pgcode, "22000")

    def test_nan_refused(self):
        with self.assertRaises(sa.exc.DataError) as ctx:
            with self.engine.begin() as conn:
                conn.execute(self.items.insert(), dict(id=9, v=[1, float("nan"), 2]))
        self.assertEqual(ctx.exception.orig.pgcode, "22P02")

    def test_reflection(self):
        with self.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE linal_sa.refl (a tensor, b tensor(3), c tensor(2,2), "
                                 "d tensor(2,3)[], e public.tensor(4,5))"))
            conn.execute(sa.text("SET search_path = pg_catalog"))
            hidden = sa.Table("refl", sa.MetaData(), schema="linal_sa", autoload_with=conn)
            conn.execute(sa.text("RESET search_path"))
            refl = sa.Table("refl", sa.MetaData(), schema="linal_sa", autoload_with=conn)
        shapes = {c.name: (c.type.shape if isinstance(c.type, Tensor) else c.type) for c in refl.columns}
        self.assertEqual(shapes["a"], ())
        self.assertEqual(shapes["b"], (3,))
        self.assertEqual(shapes["c"], (2, 2))
        self.assertEqual(shapes["e"], (4, 5))
        self.assertIsInstance(refl.c.d.type, sa.ARRAY)
        self.assertEqual(refl.c.d.type.item_type.shape, (2, 3))
        # outside the search_path the type is schema-qualified and still a shaped Tensor
        self.assertEqual(hidden.c.c.type.shape, (2, 2))
        self.assertEqual(hidden.c.a.type.shape, ())
        self.assertEqual(refl.c.c.type.get_col_spec(), "tensor(2,2)")


if __name__ == "__main__":
    unittest.main()
