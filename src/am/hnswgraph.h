/*-------------------------------------------------------------------------
 *
 * hnswgraph.h
 *	  linal_hnsw: the in-memory graph of CREATE INDEX (hnswgraph.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_HNSWGRAPH_H
#define LINAL_HNSWGRAPH_H

#include "am/hnsw.h"

typedef struct HnswMemGraph HnswMemGraph;

extern HnswMemGraph *hnsw_graph_create(HnswIndex *hi, Size budget_bytes, double expected_rows);
extern bool hnsw_graph_has_room(HnswMemGraph *g);
extern void hnsw_graph_insert(HnswMemGraph *g, const float *vec, ItemPointer heaptid);
extern int64 hnsw_graph_count(HnswMemGraph *g);
extern void hnsw_graph_write(HnswMemGraph *g);
extern void hnsw_graph_free(HnswMemGraph *g);

#endif							/* LINAL_HNSWGRAPH_H */
