/*-------------------------------------------------------------------------
 *
 * pgvector_settings.c
 *	  A WARNING when a session sets pgvector's index settings (hnsw.*,
 *	  ivfflat.*) and pgvector is not there to read them.
 *
 * Users who move from pgvector keep their recall tuning: SET
 * hnsw.ef_search = 200.  Without pgvector that name is a placeholder any
 * session may set, and nothing ever reads it: linal_hnsw reads
 * linal.hnsw_ef_search, and the recall stays what it was, silently.  A
 * placeholder has no check hook, so this looks at the statement instead:
 * a utility hook (chained after the others) that, once SET, SET LOCAL,
 * ALTER SYSTEM, ALTER ROLE ... SET or ALTER DATABASE ... SET of such a
 * name has succeeded, warns when the name is still only a placeholder and
 * the extension "vector" is not installed in this database (when it is,
 * the placeholder takes effect as soon as pgvector loads).  The hint names
 * linal's setting.  Never an error: the statement has done what it says.
 *
 * Not caught: set_config(), which is a function call and not a utility
 * statement, PGOPTIONS and postgresql.conf, and any SET in a session that
 * has not loaded linal yet (put linal in shared_preload_libraries or
 * session_preload_libraries to catch those too).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/extension.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/guc.h"

#include "exec/exec.h"

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/* pgvector's settings and what linal reads instead (NULL: nothing) */
typedef struct PgvectorSetting
{
	const char *pgvector;
	const char *linal;
} PgvectorSetting;

static const PgvectorSetting settings[] = {
	{"hnsw.ef_search", "linal.hnsw_ef_search"},
	{"hnsw.iterative_scan", "linal.hnsw_iterative_scan"},
	{"hnsw.max_scan_tuples", "linal.hnsw_max_scan_tuples"},
	{"hnsw.scan_mem_multiplier", "linal.hnsw_scan_mem_multiplier"},
};

/* The SET inside a statement, or NULL. */
static VariableSetStmt *
set_statement(Node *statement)
{
	if (statement == NULL)
		return NULL;
	switch (nodeTag(statement))
	{
		case T_VariableSetStmt:
			return (VariableSetStmt *) statement;
		case T_AlterSystemStmt:
			return ((AlterSystemStmt *) statement)->setstmt;
		case T_AlterRoleSetStmt:
			return ((AlterRoleSetStmt *) statement)->setstmt;
		case T_AlterDatabaseSetStmt:
			return ((AlterDatabaseSetStmt *) statement)->setstmt;
		default:
			return NULL;
	}
}

static void
warn_if_unread(VariableSetStmt *set)
{
	const char *name = set->name;
	bool		ivfflat;
	const char *hint;
	int			i;

	if (set->kind != VAR_SET_VALUE || name == NULL)
		return;
	ivfflat = strncmp(name, "ivfflat.", 8) == 0;
	if (!ivfflat && strncmp(name, "hnsw.", 5) != 0)
		return;
	/* a real setting: pgvector (or something) defined it */
	if (!(GetConfigOptionFlags(name, true) & GUC_CUSTOM_PLACEHOLDER) &&
		GetConfigOption(name, true, false) != NULL)
		return;
	/* installed here: pgvector loads on first use and takes the value */
	if (IsTransactionState() && OidIsValid(get_extension_oid("vector", true)))
		return;

	if (ivfflat)
		hint = "linal has no IVFFlat index: linal_hnsw indexes are tuned with linal.hnsw_ef_search.";
	else
	{
		hint = "linal_hnsw settings are named linal.hnsw_*.";
		for (i = 0; i < lengthof(settings); i++)
			if (strcmp(name, settings[i].pgvector) == 0)
				hint = psprintf("linal_hnsw indexes read %s.", settings[i].linal);
	}
	ereport(WARNING,
			(errmsg("%s has no effect: pgvector is not loaded", name),
			 errdetail("The extension \"vector\" is not installed in this database, and nothing else reads this setting."),
			 errhint("%s", hint)));
}

static void
pgvector_settings_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
								 ProcessUtilityContext context, ParamListInfo params,
								 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	VariableSetStmt *set = set_statement(pstmt->utilityStmt);

	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
	/* after the statement: a SET that failed says so itself */
	if (set != NULL)
		warn_if_unread(set);
}

void
linal_pgvector_settings_init(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = pgvector_settings_ProcessUtility;
}
