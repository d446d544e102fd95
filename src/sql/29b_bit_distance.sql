-- linal: pgvector's distances on PostgreSQL's bit type (binary vectors, as
-- made by binary_quantize(tensor)), with pgvector's names and operators so
-- its bit queries run unchanged (docs/SQL.md, "Bit vectors").

CREATE FUNCTION hamming_distance(bit, bit) RETURNS double precision
	AS 'MODULE_PATHNAME', 'bit_hamming_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hamming_distance(bit, bit) IS 'number of bit positions where two equal-length bit strings differ';

CREATE FUNCTION jaccard_distance(bit, bit) RETURNS double precision
	AS 'MODULE_PATHNAME', 'bit_jaccard_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION jaccard_distance(bit, bit) IS '1 - |a AND b| / |a OR b| of two equal-length bit strings; 1 when they share no set bit';

CREATE OPERATOR <~> (
	LEFTARG = bit, RIGHTARG = bit, PROCEDURE = hamming_distance,
	COMMUTATOR = '<~>'
);
COMMENT ON OPERATOR <~> (bit, bit) IS 'Hamming distance, the same as hamming_distance()';

CREATE OPERATOR <%> (
	LEFTARG = bit, RIGHTARG = bit, PROCEDURE = jaccard_distance,
	COMMUTATOR = '<%>'
);
COMMENT ON OPERATOR <%> (bit, bit) IS 'Jaccard distance, the same as jaccard_distance()';
