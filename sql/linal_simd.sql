-- GUC linal.simd and kernel introspection.

-- (custom GUCs exist once the library is loaded; a linal call loads it)
SELECT linal_kernel_isa() = (linal_supported_isas())[1] AS auto_picks_best;
SHOW linal.simd;

SET linal.simd = scalar;
SHOW linal.simd;
SELECT linal_kernel_isa();
SELECT dot('[1,2,3]', '[4,5,6]') AS scalar_dot;

-- every ISA the CPU lists can be forced, and then is the one in use
CREATE FUNCTION pg_temp.force_each() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    isa text;
BEGIN
    FOREACH isa IN ARRAY linal_supported_isas() LOOP
        PERFORM set_config('linal.simd', isa, true);
        IF linal_kernel_isa() <> isa THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END
$$;
SELECT pg_temp.force_each();

-- unknown values are refused
SET linal.simd = 'sse9';
SET linal.simd = '';

RESET linal.simd;
SHOW linal.simd;
SELECT linal_kernel_isa() = (linal_supported_isas())[1] AS back_to_best;

-- SET LOCAL ends with the transaction
BEGIN;
SET LOCAL linal.simd = scalar;
SELECT linal_kernel_isa();
COMMIT;
SELECT linal_kernel_isa() = (linal_supported_isas())[1] AS restored;

-- the functions are marked as they behave
SELECT proname, provolatile, proparallel FROM pg_proc
WHERE proname IN ('linal_kernel_isa', 'linal_supported_isas') ORDER BY proname;
