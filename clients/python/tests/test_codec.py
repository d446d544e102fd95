"""linal's text and binary codecs without a server."""

import unittest

import numpy as np

import linal
from common import SPECIAL, same, sample, shapes


class CodecTest(unittest.TestCase):
    def test_text_round_trip_every_rank(self):
        for shape in shapes():
            with self.subTest(shape=shape):
                same(self, linal.from_text(linal.to_text(sample(shape))), sample(shape))

    def test_binary_round_trip_every_rank(self):
        for shape in shapes():
            with self.subTest(shape=shape):
                same(self, linal.from_binary(linal.to_binary(sample(shape))), sample(shape))

    def test_special_values(self):
        same(self, linal.from_text(linal.to_text(SPECIAL)), SPECIAL)
        same(self, linal.from_binary(linal.to_binary(SPECIAL)), SPECIAL)

    def test_binary_layout(self):
        self.assertEqual(linal.to_binary([[1, 2]]),
                         b"\x00\x02\x00\x00" b"\x00\x00\x00\x01\x00\x00\x00\x02" b"\x3f\x80\x00\x00\x40\x00\x00\x00")

    def test_text_form(self):
        self.assertEqual(linal.to_text([[1, 2], [3, 4.5]]), "[[1.0,2.0],[3.0,4.5]]")
        self.assertEqual(linal.to_text(np.float32(-0.0)), "-0.0")
        self.assertEqual(linal.to_text([]), "[]")

    def test_server_text_forms(self):
        # the server prints -0 as "-0", an integer in JSON
        same(self, linal.from_text("[-0,1e-45,1.6777216e+07]"), np.array([-0.0, 1e-45, 16777216], dtype=np.float32))
        same(self, linal.from_text(b"-0"), np.float32(-0.0))
        same(self, linal.from_text("[[],[]]"), np.zeros((2, 0)))

    def test_float64_downcast(self):
        got = linal.tensor(np.array([0.1, 1e300, 2.5]))
        self.assertEqual(got.dtype, np.float32)
        self.assertEqual(got[0], np.float32(0.1))
        self.assertTrue(np.isinf(got[1]))

    def test_bad_input(self):
        with self.assertRaises(ValueError):
            linal.tensor([[1, 2], [3]])
        with self.assertRaises(ValueError):
            linal.to_binary(np.zeros((1,) * 9))
        with self.assertRaises(ValueError):
            linal.from_binary(b"\x00\x01\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00")


if __name__ == "__main__":
    unittest.main()
