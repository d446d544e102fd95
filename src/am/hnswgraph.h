/*-------------------------------------------------------------------------
 *
 * hnswgraph.h
 *	  linal_hnsw: the graph of CREATE INDEX (hnswgraph.c), in backend-local
 *	  memory for a serial build or in dynamic shared memory for a parallel
 *	  one (hnswparallel.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_HNSWGRAPH_H
#define LINAL_HNSWGRAPH_H

#include "am/hnsw.h"

/* One participant's handle on a graph (the graph itself may be shared). */
typedef struct HnswGraph HnswGraph;

/* serial build: a graph in local memory that grows within budget_bytes */
extern HnswGraph *hnsw_graph_create(HnswIndex *hi, Size budget_bytes, double expected_rows);

/*
 * Parallel build: the bytes of a shared area with room for `rows` rows, or
 * fewer when every participant's memory would not fit in budget_bytes; the
 * area's layout (hi's dimension must be known); a participant's handle
 * (concurrent: other processes insert too, so take the locks).
 */
extern Size hnsw_graph_area_size(HnswIndex *hi, Size budget_bytes, double rows,
								 int participants);
extern void hnsw_graph_area_init(void *area, Size area_bytes, HnswIndex *hi, int lwlock_tranche);
extern HnswGraph *hnsw_graph_attach(HnswIndex *hi, void *area, bool concurrent);

/* Insert one row; false (and nothing inserted) when the graph is full. */
extern bool hnsw_graph_insert(HnswGraph *g, const void *code, ItemPointer heaptid);
extern int64 hnsw_graph_count(HnswGraph *g);
/*
 * Link the elements of ids [first, end) that a search for their own
 * vector misses; returns how many.  No participant may still insert.
 */
extern int64 hnsw_graph_refind(HnswGraph *g, int64 first, int64 end);
/*
 * Write the whole graph after the metapage, with hnsw_graph_refind over
 * every element first when `refind` (false: it was done in parallel).
 */
extern void hnsw_graph_write(HnswGraph *g, bool refind);
/* Free the handle (and a local graph; a shared area belongs to its segment). */
extern void hnsw_graph_free(HnswGraph *g);

#endif							/* LINAL_HNSWGRAPH_H */
