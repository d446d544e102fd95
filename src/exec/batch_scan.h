/*-------------------------------------------------------------------------
 *
 * batch_scan.h
 *	  What the planner half of the batched scan (batch_plan.c) hands to the
 *	  executor half (batch_scan.c) through CustomScan's custom_private and
 *	  custom_exprs.
 *
 * custom_exprs = (order_query, filter_exprs, quals):
 *	 order_query   the constant side of the ORDER BY distance, or NULL
 *	 filter_exprs  flat list: query_1, bound_1, query_2, bound_2, ...
 *	 quals         every other restriction clause of the scan (implicit AND)
 * custom_private = a list of one integer list:
 *	 order_kind, order_attno, order_var_left, limit_k, filter_count,
 *	 then per filter: kind, attno, var_left, inclusive
 * Every element of custom_private is a node, never a bare integer: Citus
 * (and any extension like it) reads the first element of every
 * CustomScan's custom_private as a Node pointer to recognise its own scans,
 * and crashed on an integer there.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_BATCH_SCAN_H
#define LINAL_BATCH_SCAN_H

#include "nodes/extensible.h"

#include "exec/exec.h"

#define BATCH_SCAN_NAME "LinalBatchScan"
#define BATCH_MAX_FILTERS 4

extern CustomScanMethods linal_batch_scan_methods;
extern const CustomPathMethods linal_batch_path_methods;
extern const CustomExecMethods linal_batch_exec_methods;

#endif							/* LINAL_BATCH_SCAN_H */
