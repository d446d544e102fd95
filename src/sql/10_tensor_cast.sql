-- linal: casts between tensor and arrays / jsonb.

CREATE FUNCTION tensor(real[], integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'array_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor(double precision[], integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'array_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor(integer[], integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'array_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor(numeric[], integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'array_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tensor_to_real_array(tensor) RETURNS real[]
	AS 'MODULE_PATHNAME', 'tensor_to_float4_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_to_double_array(tensor) RETURNS double precision[]
	AS 'MODULE_PATHNAME', 'tensor_to_float8_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_to_integer_array(tensor) RETURNS integer[]
	AS 'MODULE_PATHNAME', 'tensor_to_int4_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_to_numeric_array(tensor) RETURNS numeric[]
	AS 'MODULE_PATHNAME', 'tensor_to_numeric_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_to_jsonb(tensor) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'tensor_to_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION jsonb_to_tensor(jsonb) RETURNS tensor
	AS 'MODULE_PATHNAME', 'jsonb_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Arrays become tensors on assignment (INSERT, UPDATE) and with ::;
-- the other direction is explicit so operators never resolve to arrays.
CREATE CAST (real[] AS tensor) WITH FUNCTION tensor(real[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (double precision[] AS tensor) WITH FUNCTION tensor(double precision[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (integer[] AS tensor) WITH FUNCTION tensor(integer[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (numeric[] AS tensor) WITH FUNCTION tensor(numeric[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (tensor AS real[]) WITH FUNCTION tensor_to_real_array(tensor);
CREATE CAST (tensor AS double precision[]) WITH FUNCTION tensor_to_double_array(tensor);
CREATE CAST (tensor AS integer[]) WITH FUNCTION tensor_to_integer_array(tensor);
CREATE CAST (tensor AS numeric[]) WITH FUNCTION tensor_to_numeric_array(tensor);
CREATE CAST (tensor AS jsonb) WITH FUNCTION tensor_to_jsonb(tensor);
CREATE CAST (jsonb AS tensor) WITH FUNCTION jsonb_to_tensor(jsonb);

-- one-element tensors and numbers
CREATE FUNCTION tensor_to_real(tensor) RETURNS real
	AS 'MODULE_PATHNAME', 'tensor_to_float4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_to_double(tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_to_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor(double precision) RETURNS tensor
	AS 'MODULE_PATHNAME', 'float8_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (tensor AS real) WITH FUNCTION tensor_to_real(tensor);
CREATE CAST (tensor AS double precision) WITH FUNCTION tensor_to_double(tensor);
CREATE CAST (double precision AS tensor) WITH FUNCTION tensor(double precision);

COMMENT ON FUNCTION tensor(real[], integer, boolean) IS 'tensor from an array of the same shape';
COMMENT ON FUNCTION tensor(double precision[], integer, boolean) IS 'tensor from an array of the same shape';
COMMENT ON FUNCTION tensor(integer[], integer, boolean) IS 'tensor from an array of the same shape';
COMMENT ON FUNCTION tensor(numeric[], integer, boolean) IS 'tensor from an array of the same shape';
COMMENT ON FUNCTION tensor_to_real_array(tensor) IS 'array of the same shape';
COMMENT ON FUNCTION tensor_to_double_array(tensor) IS 'array of the same shape';
COMMENT ON FUNCTION tensor_to_integer_array(tensor) IS 'array of the same shape, elements rounded';
COMMENT ON FUNCTION tensor_to_numeric_array(tensor) IS 'array of the same shape';
COMMENT ON FUNCTION tensor_to_jsonb(tensor) IS 'nested jsonb arrays of numbers';
COMMENT ON FUNCTION jsonb_to_tensor(jsonb) IS 'tensor from nested jsonb arrays of numbers';
COMMENT ON FUNCTION tensor_to_real(tensor) IS 'the element of a one-element tensor';
COMMENT ON FUNCTION tensor_to_double(tensor) IS 'the element of a one-element tensor';
COMMENT ON FUNCTION tensor(double precision) IS 'rank-0 tensor holding the number';

COMMENT ON CAST (real[] AS tensor) IS 'array to tensor of the same shape (assignment)';
COMMENT ON CAST (double precision[] AS tensor) IS 'array to tensor of the same shape (assignment)';
COMMENT ON CAST (integer[] AS tensor) IS 'array to tensor of the same shape (assignment)';
COMMENT ON CAST (numeric[] AS tensor) IS 'array to tensor of the same shape (assignment)';
COMMENT ON CAST (tensor AS real[]) IS 'tensor to array of the same shape (explicit)';
COMMENT ON CAST (tensor AS double precision[]) IS 'tensor to array of the same shape (explicit)';
COMMENT ON CAST (tensor AS integer[]) IS 'tensor to array of the same shape, elements rounded (explicit)';
COMMENT ON CAST (tensor AS numeric[]) IS 'tensor to array of the same shape (explicit)';
COMMENT ON CAST (tensor AS jsonb) IS 'tensor to nested jsonb arrays (explicit)';
COMMENT ON CAST (jsonb AS tensor) IS 'nested jsonb arrays to tensor (explicit)';
COMMENT ON CAST (tensor AS real) IS 'the element of a one-element tensor (explicit)';
COMMENT ON CAST (tensor AS double precision) IS 'the element of a one-element tensor (explicit)';
COMMENT ON CAST (double precision AS tensor) IS 'number to rank-0 tensor (explicit)';
