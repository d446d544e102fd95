/*-------------------------------------------------------------------------
 *
 * hnswheuristic.h
 *	  linal_hnsw: HNSW's neighbour heuristic (Malkov and Yashunin's
 *	  SELECT-NEIGHBORS-HEURISTIC, without extending the candidates or
 *	  dropping the pruned ones), once, for every graph: the build's in
 *	  memory (hnswgraph.c) and the pages' (hnswinsert.c).
 *
 * The candidates of one call are numbered 0..n-1, sorted nearest first by
 * their distance to the base (the element whose list is chosen).  A
 * candidate is "diverse" when it is nearer to the base than to every
 * diverse candidate before it; the order of preference is the diverse
 * ones, nearest first, then the rest, nearest first.  A new element's
 * neighbours are the first of that order; a full list that takes a new
 * link leaves out the least preferred of its links and the new one, by
 * flags it may keep between calls (the build's lists do:
 * hnsw_heuristic_flags with was[] then checks only what the new candidate
 * can change).  Nothing here knows where a candidate's vector is: the
 * caller's pair function computes the distance of two.
 *
 * Ties: a caller sorts stably, a new candidate before the links as near
 * as it, the links in their list's order, so the build and the pages
 * choose alike.  Distances are double, each graph's own values: the
 * build's lists keep floats (half the bytes), exact in a double, and an
 * insert's distances stay double, as its distance functions return them
 * (narrowed to float, the squared L2 distances of an int8 index's tiny
 * vectors, 1e-30 and less, all became 0; the ties made a cluster of
 * them link only to itself, and a scan starting there never left it:
 * sql/hnsw_quantization.sql failed about one run in 25).
 *
 * The functions are static inline (always): each caller's pair function
 * is then inlined into the loops, where a call per pair cost the build 7%
 * more instructions (callgrind, 5000 x 128).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_HNSWHEURISTIC_H
#define LINAL_HNSWHEURISTIC_H

/* the distance between candidates i and k of one call (k < i) */
typedef double (*HnswPairDistance) (void *context, int i, int k);

/* whether candidate i is nearer to the base than to every diverse one below it */
static pg_attribute_always_inline bool
hnsw_heuristic_is_diverse(const double *dist, int i, const bool *diverse, const bool *was,
						  HnswPairDistance pair, void *context)
{
	/* a pair both diverse before the new candidate came was checked then */
	bool		checked = was != NULL && was[i];
	double		d = dist[i];
	int			k;

	for (k = 0; k < i; k++)
	{
		if (!diverse[k] || (checked && was[k]))
			continue;
		if (pair(context, i, k) < d)
			return false;
	}
	return true;
}

/*
 * The diverse flags of candidates from..n-1 (those below `from` are given
 * in diverse[]).  Without was: each is computed, and the work stops once
 * `limit` candidates in all are diverse (the later ones are left false,
 * not evaluated).  With was: candidate `from` was just added to a list
 * whose flags were was[] (was[from] is ignored); when it is not diverse
 * the others keep was[], when it is they are checked again but for pairs
 * both diverse in was (found apart before).  Returns how many are diverse.
 */
static pg_attribute_always_inline int
hnsw_heuristic_flags(const double *dist, int n, int from, const bool *was, int limit,
					 HnswPairDistance pair, void *context, bool *diverse)
{
	int			count = 0;
	int			i;

	Assert(from >= 0 && from <= n);
	for (i = 0; i < from; i++)
		count += diverse[i] ? 1 : 0;
	if (was != NULL)
	{
		bool		changes;

		Assert(from < n);
		/* the new candidate is checked against the links before it */
		diverse[from] = changes = hnsw_heuristic_is_diverse(dist, from, diverse, NULL, pair, context);
		count += changes ? 1 : 0;
		for (i = from + 1; i < n; i++)
		{
			/* one that is not diverse changes nothing after it */
			diverse[i] = changes ? hnsw_heuristic_is_diverse(dist, i, diverse, was, pair, context) : was[i];
			count += diverse[i] ? 1 : 0;
		}
		return count;
	}
	for (i = from; i < n; i++)
	{
		if (count >= limit)
		{
			diverse[i] = false;
			continue;
		}
		diverse[i] = hnsw_heuristic_is_diverse(dist, i, diverse, NULL, pair, context);
		count += diverse[i] ? 1 : 0;
	}
	return count;
}

/*
 * The order of preference (candidate numbers into order[n]) of n
 * candidates, of which the first `limit` are all a caller takes (the
 * diverse ones are not looked for past the limit-th).  Returns n.
 */
static pg_attribute_always_inline int
hnsw_heuristic_order(const double *dist, int n, int limit, HnswPairDistance pair,
					 void *context, int *order)
{
	bool		local[256];
	bool	   *diverse;
	int			ngood;
	int			nrest;
	int			i;

	if (n <= 0)
		return 0;
	diverse = n <= lengthof(local) ? local : palloc(sizeof(bool) * n);
	ngood = hnsw_heuristic_flags(dist, n, 0, NULL, limit, pair, context, diverse);
	nrest = ngood;
	ngood = 0;
	for (i = 0; i < n; i++)
	{
		if (diverse[i])
			order[ngood++] = i;
		else
			order[nrest++] = i;
	}
	Assert(nrest == n);
	if (diverse != local)
		pfree(diverse);
	return n;
}

/* whether candidate k must stay in the list */
typedef bool (*HnswKept) (void *context, int k);

/*
 * The candidate to leave out of a full list, by their flags: the least
 * preferred (the last of the order of preference: the farthest of the
 * non-diverse ones, else the farthest diverse one) that kept() does not
 * protect; -1 when every one is protected.
 */
static pg_attribute_always_inline int
hnsw_heuristic_evict(const bool *diverse, int n, HnswKept kept, void *context)
{
	int			pass;
	int			k;

	for (pass = 0; pass < 2; pass++)
	{
		for (k = n - 1; k >= 0; k--)
		{
			if (diverse[k] == (pass == 1) && !kept(context, k))
				return k;
		}
	}
	return -1;
}

#endif							/* LINAL_HNSWHEURISTIC_H */
