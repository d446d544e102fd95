/*-------------------------------------------------------------------------
 *
 * hnswheuristic.h
 *	  linal_hnsw: HNSW's neighbour heuristic, once, for every graph: the
 *	  build's in memory (hnswgraph.c) and the pages' (hnswinsert.c).
 *
 * The candidates of one call are numbered 0..n-1, sorted nearest first by
 * their distance to the base (the element whose list is chosen).  A
 * candidate is "diverse" when it is nearer to the base than to every
 * diverse candidate before it; the order of preference is the diverse
 * ones, nearest first, then the rest, nearest first.  Ties: a caller sorts
 * stably, a new candidate before the links as near as it, the links in
 * their list's order, so the build and the pages choose alike.
 *
 * Distances are float: the build's lists keep float distances (half the
 * bytes of double in the hot loop), the float4 kernels sum in float
 * anyway, and a caller whose distance is a double narrows it once, so
 * both callers compare the same numbers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_HNSWHEURISTIC_H
#define LINAL_HNSWHEURISTIC_H

/* the distance between candidates i and k of one call (k < i) */
typedef float (*HnswPairDistance) (void *context, int i, int k);

/*
 * The diverse flags of candidates from..n-1 (those below `from` are given
 * in diverse[]).  Without was: each is computed, and the work stops once
 * `limit` candidates in all are diverse (the later ones are left false,
 * not evaluated).  With was: candidate `from` was just added to a list
 * whose flags were was[] (was[from] is ignored); when it is not diverse
 * the others keep was[], when it is they are checked again but for pairs
 * both diverse in was (found apart before).  Returns how many are diverse.
 */
extern int	hnsw_heuristic_flags(const float *dist, int n, int from, const bool *was, int limit,
								 HnswPairDistance pair, void *context, bool *diverse);

/*
 * The order of preference (candidate numbers into order[n]) of n
 * candidates, of which the first `limit` are all a caller takes (the
 * diverse ones are not looked for past the limit-th).  Returns n.
 */
extern int	hnsw_heuristic_order(const float *dist, int n, int limit, HnswPairDistance pair,
								 void *context, int *order);

/*
 * The candidate to leave out of a full list, by their flags: the least
 * preferred (the last of the order of preference: the farthest of the
 * non-diverse ones, else the farthest diverse one) that keep[] does not
 * protect; -1 when every one is protected.
 */
extern int	hnsw_heuristic_evict(const bool *diverse, const bool *keep, int n);

#endif							/* LINAL_HNSWHEURISTIC_H */
