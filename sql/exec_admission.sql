-- Admission control settings.  Waiting and timeouts need several sessions:
-- t/030_admission.pl tests them.
-- the library loads with the first use of a tensor (without preload)
SELECT '[1]'::tensor IS NOT NULL AS linal_loaded;
SHOW linal.max_concurrent_queries;
SHOW linal.queue_timeout;
-- a server-wide limit: set in postgresql.conf, not per session
SET linal.max_concurrent_queries = 1;
SET linal.queue_timeout = '2s';
SHOW linal.queue_timeout;
SET linal.queue_timeout = 0;
SHOW linal.queue_timeout;
-- only the SQLSTATE: the server's message shows the range with units from 16 on
\set VERBOSITY sqlstate
SET linal.queue_timeout = -1;
\set VERBOSITY default
SET linal.queue_timeout = 'soon';
RESET linal.queue_timeout;
-- with no limit, linal queries run as usual
SELECT '[1,2]'::tensor + '[3,4]'::tensor;
