-- linal: introspection of the running module.

CREATE FUNCTION linal_kernel_isa() RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION linal_kernel_isa() IS 'kernel family in use: avx512, avx2 or scalar (follows linal.simd)';
CREATE FUNCTION linal_supported_isas() RETURNS text[]
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION linal_supported_isas() IS 'kernel families this CPU supports, best first; scalar is always there';
