/*-------------------------------------------------------------------------
 *
 * hnswheuristic.c
 *	  linal_hnsw: HNSW's neighbour heuristic (Malkov and Yashunin's
 *	  SELECT-NEIGHBORS-HEURISTIC, without extending the candidates or
 *	  dropping the pruned ones), one implementation for the build's graph
 *	  and the pages (hnswheuristic.h).
 *
 * A new element's neighbours are the first of the order of preference;
 * a full list that takes a new link leaves out the least preferred of its
 * links and the new one, by flags it may keep between calls (the build's
 * lists do: hnsw_heuristic_flags with was[] then checks only what the new
 * candidate can change).  Nothing here knows where a candidate's vector
 * is: the caller's pair function computes the distance of two.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "am/hnswheuristic.h"

/* whether candidate i is nearer to the base than to every diverse one below it */
static inline bool
is_diverse(const float *dist, int i, const bool *diverse, const bool *was,
		   HnswPairDistance pair, void *context)
{
	int			k;

	for (k = 0; k < i; k++)
	{
		/* a pair both diverse before the new candidate came was checked then */
		if (!diverse[k] || (was != NULL && was[i] && was[k]))
			continue;
		if (pair(context, i, k) < dist[i])
			return false;
	}
	return true;
}

int
hnsw_heuristic_flags(const float *dist, int n, int from, const bool *was, int limit,
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
		diverse[from] = changes = is_diverse(dist, from, diverse, NULL, pair, context);
		count += changes ? 1 : 0;
		for (i = from + 1; i < n; i++)
		{
			/* one that is not diverse changes nothing after it */
			diverse[i] = changes ? is_diverse(dist, i, diverse, was, pair, context) : was[i];
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
		diverse[i] = is_diverse(dist, i, diverse, NULL, pair, context);
		count += diverse[i] ? 1 : 0;
	}
	return count;
}

int
hnsw_heuristic_order(const float *dist, int n, int limit, HnswPairDistance pair,
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

int
hnsw_heuristic_evict(const bool *diverse, const bool *keep, int n)
{
	int			pass;
	int			k;

	for (pass = 0; pass < 2; pass++)
	{
		for (k = n - 1; k >= 0; k--)
		{
			if (diverse[k] == (pass == 1) && !keep[k])
				return k;
		}
	}
	return -1;
}
