-- linal: subscripts and slices, t[i], t[a:b], t[i][a:b] (1-based).

CREATE FUNCTION tensor_subscript_handler(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
ALTER TYPE tensor SET (SUBSCRIPT = tensor_subscript_handler);
COMMENT ON FUNCTION tensor_subscript_handler(internal) IS 'subscripts and slices of tensor: t[i], t[a:b]';
