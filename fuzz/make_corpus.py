#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/tensor_fuzz.c (tensor and sparsetensor
parsers) into fuzz/corpus/.

Each file is one fuzzer input: a mode byte (0 = text, 1 = binary) then the
payload.  Regenerate with: python3 fuzz/make_corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

TEXT = {
    "scalar": "3.5",
    "vector": "[1,2,3]",
    "matrix": "[[1,2],[3,4]]",
    "rank3": "[[[1],[2]],[[3],[4]]]",
    "rank8": "[[[[[[[[7]]]]]]]]",
    "rank9": "[[[[[[[[[7]]]]]]]]]",
    "empty": "[]",
    "empty2": "[[],[]]",
    "empty3": "[[[]]]",
    "spaces": " \t[ [ 1 ,\n2 ] , [3,4 ]\r]\f ",
    "numbers": "[+1, -2, 0.5, .25, 3., 1e3, 1E-3, -2.5e+2, 007]",
    "extremes": "[3.4028235e38, -3.4028235e38, 1.1754944e-38, 1e-45, -0, 0]",
    "overflow": "[1e39]",
    "underflow": "[1e-50]",
    "nan": "[1,nan]",
    "inf": "[-Infinity]",
    "ragged": "[[1,2],[3]]",
    "ragged_deep": "[[[1]],[2]]",
    "ragged_empty": "[[],[1]]",
    "trailing_comma": "[1,2,]",
    "double_comma": "[1,,2]",
    "unclosed": "[1,2",
    "extra_close": "[1,2]]",
    "junk_after": "[1]x",
    "hex": "[0x10]",
    "exponent_only": "[1e]",
    "non_ascii": "[1,2]\u00e9",
    "long_digits": "[" + "9" * 60 + "]",
    "many": "[" + ",".join(str(i * 0.25) for i in range(300)) + "]",
    "deep_open": "[" * 40,
    "dims_mismatch_late": "[[1,2,3],[4,5,6],[7,8]]",
    # sparsetensor text
    "sparse": "{1:1.5,3:-2}/5",
    "sparse_empty": "{}/1",
    "sparse_spaces": " { 3 : 2 ,\t1 : 1.5 } / 5 ",
    "sparse_zeros": "{1:0,2:-0,3:7}/3",
    "sparse_unsorted": "{3:1,1:2,2:3}/3",
    "sparse_duplicate": "{1:1,1:2}/2",
    "sparse_out_of_bounds": "{0:1,3:1}/2",
    "sparse_huge_dim": "{}/99999999999999999999",
    "sparse_no_dim": "{1:1}",
    "sparse_nan": "{1:NaN}/1",
    "sparse_underflow": "{1:1e-50}/1",
}


def binary(ndim, dims, values, elemtype=0):
    out = struct.pack(">hH", ndim, elemtype)
    out += b"".join(struct.pack(">i", d) for d in dims)
    out += b"".join(struct.pack(">f", v) for v in values)
    return out


def sparse_binary(dim, indices, values, flags=0):
    out = struct.pack(">iii", dim, len(indices), flags)
    out += b"".join(struct.pack(">i", i) for i in indices)
    out += b"".join(struct.pack(">f", v) for v in values)
    return out


BINARY = {
    "bin_vector": binary(1, [3], [1.0, -2.0, 0.5]),
    "bin_scalar": binary(0, [], [2.5]),
    "bin_empty": binary(1, [0], []),
    "bin_matrix": binary(2, [2, 2], [1, 2, 3, 4]),
    "bin_short": b"\x00\x01",
    "bin_negative_rank": b"\xff\xff\x00\x00",
    "bin_rank9": struct.pack(">hH", 9, 0),
    "bin_elemtype": binary(1, [1], [1.0], elemtype=7),
    "bin_truncated_dims": struct.pack(">hHi", 2, 0, 2),
    "bin_negative_dim": struct.pack(">hHi", 1, 0, -1),
    "bin_huge_dim": struct.pack(">hHi", 1, 0, 0x7FFFFFFF),
    "bin_huge_shape": struct.pack(">hHii", 2, 0, 65536, 65536) + struct.pack(">f", 1),
    "bin_missing_data": struct.pack(">hHi", 1, 0, 2) + struct.pack(">f", 1),
    "bin_extra_data": binary(1, [1], [1.0]) + struct.pack(">f", 1),
    "bin_nan": struct.pack(">hHi", 1, 0, 1) + b"\x7f\xc0\x00\x00",
    "bin_inf": struct.pack(">hHi", 1, 0, 1) + b"\xff\x80\x00\x00",
    "bin_zero_dim_big_other": struct.pack(">hHii", 2, 0, 0, 1000),
    # found by the fuzzer: a valid empty shape whose text form is 2^27 "[]"
    "bin_huge_empty_shape": struct.pack(">hHii", 2, 0, 1 << 27, 0),
    # sparsetensor binary: dim, nnz, flags, indices, values
    "bin_sparse": sparse_binary(5, [0, 2], [1.5, -2.0]),
    "bin_sparse_empty": sparse_binary(1, [], []),
    "bin_sparse_unsorted": sparse_binary(5, [2, 0], [1.5, -2.0]),
    "bin_sparse_zero": sparse_binary(5, [1], [0.0]),
    "bin_sparse_flags": struct.pack(">iii", 5, 0, 1),
    "bin_sparse_nnz_above_dim": struct.pack(">iii", 2, 3, 0),
    "bin_sparse_index_out": sparse_binary(5, [5], [1.0]),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, text in TEXT.items():
        with open(os.path.join(OUT, "text_" + name), "wb") as f:
            f.write(b"\x00" + text.encode("utf-8"))
    for name, payload in BINARY.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(b"\x01" + payload)


if __name__ == "__main__":
    main()
