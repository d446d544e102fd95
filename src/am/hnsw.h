/*-------------------------------------------------------------------------
 *
 * hnsw.h
 *	  linal_hnsw: an HNSW graph index over 1-d tensor and halftensor columns
 *	  and bit strings.
 *
 * On-disk layout
 * --------------
 * Block 0 is the metapage.  Every other page holds three kinds of items:
 *	 element tuple   heap TID, level, deleted flag, the TID of the element's
 *					 neighbour tuple, the TID of its parent (below), and the
 *					 vector's code (8-byte aligned) in the index's format
 *					 (the metapage's format and dimensions, hnswcode.c):
 *					 float4 -- dim floats, normalised for cosine; float16
 *					 -- dim IEEE binary16 values as uint16, normalised in
 *					 float before the conversion for cosine; bit -- the
 *					 dim bits of a bit(dim) value, (dim + 7) / 8 bytes,
 *					 first bit the high bit of the first byte, the bits
 *					 past dim zero; int8 (tensor or halftensor keys WITH
 *					 (quantization = 'int8')) -- an HnswInt8Header and dim
 *					 bytes, never split (HNSW_INT8_MAX_DIM); binary
 *					 (WITH (quantization = 'binary')) -- an
 *					 HnswBinaryHeader and (dim + 7) / 8 bytes of signs;
 *					 sparse (sparsetensor keys) -- nnz, then nnz int32
 *					 positions and nnz float4 values, of its own size
 *					 (at most HNSW_SPARSE_MAX_NNZ non-zeros: whole in
 *					 its element, never split)
 *	 neighbour tuple (level + 2) * m slots of element TIDs: layer 0 has 2m
 *					 slots, every layer above m; unused slots are invalid
 *	 vector tuple    a part of a code longer than a page: the TID of the
 *					 next part (invalid in the last) and exactly
 *					 HNSW_VECTOR_PART_BYTES bytes of the code
 * A code of up to HNSW_VECTOR_PART_BYTES bytes is all in its element.  A
 * longer one is split: its first HNSW_INLINE_BYTES(bytes) bytes (1 to
 * HNSW_VECTOR_PART_BYTES, whatever is left over by full parts) stay in the
 * element, followed by the TID of its first vector tuple, and each of the
 * HNSW_VECTOR_TUPLES(bytes) vector tuples holds the next full part.  Full
 * parts fill a page each, and the short head leaves room for the
 * neighbour tuple beside its element (hnswvector.c).  Float4 codes split
 * exactly where the floats of linal before formats did (2000 floats a
 * part), so float4 indexes are byte for byte what they were.
 * An element and its neighbour tuple are written in one WAL record, on one
 * page when they fit; an insert writes the vector tuples before, one WAL
 * record each (a crash in between leaves vector tuples no element points
 * to: harmless, REINDEX reclaims them).  Elements and vector tuples are
 * never moved, and nothing of them but the deleted flag and the parent is
 * ever rewritten; VACUUM marks dead elements deleted and removes links to
 * them, REINDEX reclaims their space.
 *
 * The tree of ways in: every live element but the entry point names a
 * parent, a live element whose layer-0 list links to it, and the parents
 * lead to the entry point.  No insert drops a link from an element's
 * parent, so every element keeps a path on layer 0 from the entry point
 * (the entry point's own parent is ignored).  The build writes a tree
 * from a walk of its graph; an insert adopts the new element under the
 * first neighbour that links back to it (a new entry point adopts the old
 * one); VACUUM gives the children of deleted elements new parents
 * (hnswtree.c).
 *
 * Version 2 added the parent (and dropped version 1's layer-0 in-degree,
 * which kept a link into every element but not a path): REINDEX a
 * version-1 index.  The metapage's format came within version 2, in what
 * was its padding (zero): a metapage written before it reads as float4.
 * Formats 3 (int8), 4 (binary) and 5 (sparse) came later, within version
 * 2: older formats are read and written exactly as before.
 *
 * Concurrency: a heavyweight lock on the metapage (LockPage, "the update
 * lock") orders the writers.  Inserts take it in RowExclusiveLock, which
 * they share with each other; an insert whose element will be the new
 * entry point takes ExclusiveLock instead (and reads the metapage again
 * once it has it), so the entry point never changes under a shared
 * insert.  VACUUM's repair, linal_index_repair and the end of a build take
 * ExclusiveLock; linal_index_check's confirming pass ShareLock (it waits
 * for inserts, not for other checks).  Beside each other, inserts hold
 * buffer locks: one at a time, but for an element's write (metapage, then
 * the insert page, then a new page), a parent's link (the list's page and
 * the child's) and a new entry point's (metapage, then the old entry's
 * page) -- block order, and no wait for the update lock while holding
 * one.  A neighbour list is chosen from a copy and written only if
 * unchanged under its buffer's exclusive lock, else chosen again; an
 * element's parent is written in the same record as the link from it
 * (hnswinsert.c).  The metapage's buffer lock makes the insert page
 * and the element count safe; new pages come under the relation extension
 * lock.  VACUUM takes the update lock only when it has something to repair
 * (an element whose row is dead, or one an insert left with no parent: the
 * metapage's unadopted); its check for that reads pages with shared
 * buffer locks beside inserts (hnswvacuum.c).
 * Scans take no update lock, only shared buffer locks, one buffer at a
 * time, and may see a graph in the middle of inserts (an element not
 * linked yet is simply not found); what they read without a lock is only
 * ever an address to prefetch (hnswutils.c).  Every page change goes
 * through GenericXLog (at most three pages a record), but for the init
 * fork of an unlogged index, which GenericXLog would not log
 * (hnsw_build_empty).
 * CREATE INDEX writes pages only in its leader: a parallel build's workers
 * share the graph in dynamic shared memory, under its own locks
 * (hnswgraph.c, hnswparallel.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_HNSW_H
#define LINAL_HNSW_H

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/reloptions.h"
#include "common/pg_prng.h"
#include "nodes/pg_list.h"
#include "storage/bufmgr.h"
#include "storage/dsm.h"
#include "storage/shm_toc.h"
#include "utils/hsearch.h"
#include "utils/relcache.h"

#include "exec/exec.h"

#define HNSW_MAGIC 0x4C48534E	/* "LHSN" */
#define HNSW_VERSION 2
#define HNSW_METAPAGE_BLKNO 0
#define HNSW_PAGE_ID 0xFF91

#define HNSW_DEFAULT_M 16
#define HNSW_MIN_M 2
#define HNSW_MAX_M 100
#define HNSW_DEFAULT_EF_CONSTRUCTION 64
#define HNSW_MIN_EF_CONSTRUCTION 4
#define HNSW_MAX_EF_CONSTRUCTION 1000
#define HNSW_MAX_LEVEL 10

/*
 * Code bytes: up to HNSW_VECTOR_PART_BYTES a code is in its element tuple
 * (which then fits on one page), above that it spans pages.  16000 float4
 * dimensions bound a chain to 7 vector tuples, and a search that keeps the
 * codes of ef_construction candidates (an insert) to 64 KB per candidate;
 * float16 keys take the same dimensions in half the bytes.  Bit keys are
 * at most one part long (64000 bits): their distances do not add up over
 * parts the way Jaccard's would have to, and a code of one page is read
 * with one buffer lock.
 */
#define HNSW_VECTOR_PART_BYTES 8000
#define HNSW_MAX_DIM 16000
#define HNSW_MAX_BITS (HNSW_VECTOR_PART_BYTES * 8)

/* The format of an index's codes (the metapage's format) */
typedef enum HnswFormat
{
	LINAL_HNSW_FORMAT_FLOAT4 = 0,	/* tensor keys; 0: metapages before formats */
	LINAL_HNSW_FORMAT_FLOAT16 = 1,	/* halftensor keys */
	LINAL_HNSW_FORMAT_BIT = 2,		/* bit keys */
	LINAL_HNSW_FORMAT_INT8 = 3,		/* tensor or halftensor keys, WITH
									 * (quantization = 'int8') */
	LINAL_HNSW_FORMAT_BINARY = 4,	/* tensor or halftensor keys, WITH
									 * (quantization = 'binary') */
	LINAL_HNSW_FORMAT_SPARSE = 5	/* sparsetensor keys */
} HnswFormat;

/* WITH (quantization = ...): what a build writes for tensor keys */
typedef enum HnswQuantization
{
	HNSW_QUANTIZATION_NONE = 0,
	HNSW_QUANTIZATION_INT8 = 1,
	HNSW_QUANTIZATION_BINARY = 2
} HnswQuantization;

/*
 * An int8 code: this header, then one byte c_i per dimension, standing for
 * lo + step * c_i (lo, step of the element's own min and max: no training,
 * any distribution).  The header's sums make a code-to-code distance one
 * integer dot product (u8.h) and a few multiplications; residual bounds
 * the quantization error, for the exact re-rank (hnsw_code_bound).  A
 * code is never split over pages: at most HNSW_INT8_MAX_DIM dimensions.
 */
typedef struct HnswInt8Header
{
	float		lo;
	float		step;			/* (max - min) / 255; 0: a constant vector */
	float		residual;		/* ||x - x^|| (L1 norm under <+>), rounded up */
	uint32		sum;			/* of the c_i */
	uint32		sum_squares;	/* of the c_i^2 */
	uint32		unused;			/* 0; the bytes start 8-byte aligned */
} HnswInt8Header;

StaticAssertDecl(sizeof(HnswInt8Header) == 24, "int8 codes have a 24-byte header");

#define HNSW_INT8_MAX_DIM ((int) (HNSW_VECTOR_PART_BYTES - sizeof(HnswInt8Header)))

/*
 * A binary code: this header, then one bit per dimension (1: the element
 * is > 0; first the high bit of the first byte, the bits past dims zero),
 * standing for x^_i = +-scale.  Searched on by Hamming distance
 * (bits.h); a scan re-ranks its candidates by their exact
 * distance, computed from the table's rows (hnswscan.c): a bound from a
 * code this coarse would stop nothing.
 */
typedef struct HnswBinaryHeader
{
	float		scale;			/* the mean |x_i| (of the unit vector under cosine) */
	uint32		dims;
} HnswBinaryHeader;

StaticAssertDecl(sizeof(HnswBinaryHeader) == 8, "binary codes have an 8-byte header");

/*
 * A sparse code (sparsetensor keys): the only format whose size varies
 * from element to element.  It carries its own length: nnz (uint32), then
 * nnz int32 indices (0-based, strictly increasing, below the index's
 * dimension), then nnz float4 values (non-zero, finite; of the unit vector
 * under cosine).  An index takes keys of at most HNSW_SPARSE_MAX_NNZ
 * non-zeros (54000 beyond), so a code is always whole in its element
 * tuple, on one page: sparse codes never use vector tuples.  Every other
 * format has one size per index (HnswIndex.code_bytes); for sparse codes
 * code_bytes is the largest size, and hnsw_code_size reads a code's own.
 */
#define HNSW_SPARSE_MAX_NNZ 1000
#define HNSW_SPARSE_CODE_BYTES(nnz) \
	((int) (sizeof(uint32) + (sizeof(int32) + sizeof(float)) * (nnz)))
/* the mean non-zeros a build expects when the column has no statistics */
#define HNSW_SPARSE_GUESS_NNZ 64
#define HNSW_SPARSE_NNZ(code) (*(const uint32 *) (code))
#define HNSW_SPARSE_INDICES(code) ((const int32 *) ((const char *) (code) + sizeof(uint32)))
#define HNSW_SPARSE_VALUES(code) \
	((const float *) (HNSW_SPARSE_INDICES(code) + HNSW_SPARSE_NNZ(code)))

/*
 * The distance of two codes of `bytes` bytes, in the index's order:
 * squared L2 for <->, 1 - dot of unit vectors for <=>, -dot for <#>, L1
 * for <+>, Hamming for <~>, Jaccard for <%>.  Monotone in the operator's
 * value.  A sum over runs of a code (a code split over pages) uses the
 * additive part alone (HnswCodeSum) and then the finish of its metric.
 */
typedef double (*HnswCodeDistance) (const void *a, const void *b, int bytes);

/* support function 1: the distance of the opclass */
#define HNSW_DISTANCE_PROC 1

/* GUCs */
extern int	linal_hnsw_ef_search;
extern int	linal_hnsw_max_scan_tuples;
extern int	linal_hnsw_iterative_scan;
extern double linal_hnsw_scan_mem_multiplier;

/* linal.hnsw_iterative_scan (hnswscan.c says what each does) */
typedef enum HnswIterativeScan
{
	HNSW_ITERATIVE_SCAN_OFF,
	HNSW_ITERATIVE_SCAN_RELAXED,
	HNSW_ITERATIVE_SCAN_STRICT
} HnswIterativeScan;

typedef struct HnswOptions
{
	int32		vl_len_;
	int			m;
	int			ef_construction;
	int			quantization;	/* offset of the string value; 0: none */
} HnswOptions;

typedef struct HnswPageOpaqueData
{
	uint16		unused;
	uint16		page_id;		/* HNSW_PAGE_ID */
} HnswPageOpaqueData;

typedef HnswPageOpaqueData *HnswPageOpaque;

#define HnswPageGetOpaque(page) ((HnswPageOpaque) PageGetSpecialPointer(page))

typedef struct HnswMetaPageData
{
	uint32		magic;
	uint32		version;
	uint32		dimensions;
	uint16		m;
	uint16		ef_construction;
	ItemPointerData entry;		/* invalid when the graph is empty */
	int16		entry_level;
	BlockNumber insert_page;	/* last page, where new elements go */
	int64		elements;		/* ever inserted (deleted ones included) */
	uint32		unadopted;		/* inserts since the last repair that left an
								 * element with no parent (VACUUM adopts it) */
	uint32		format;			/* HnswFormat; in what was padding */
} HnswMetaPageData;

StaticAssertDecl(sizeof(HnswMetaPageData) == 48,
				 "the format fills the metapage's padding: its pd_lower is unchanged");

typedef HnswMetaPageData *HnswMetaPage;

#define HnswPageGetMeta(page) ((HnswMetaPage) PageGetContents(page))

#define HNSW_ELEMENT_TUPLE 1
#define HNSW_NEIGHBOR_TUPLE 2
#define HNSW_VECTOR_TUPLE 3

typedef struct HnswElementTupleData
{
	uint8		type;
	uint8		level;
	uint8		deleted;
	uint8		unused;
	ItemPointerData heaptid;
	ItemPointerData neighbortid;
	ItemPointerData parent;		/* invalid: the entry point, or none yet */
	uint16		unused2;		/* the code starts at byte 24 */
	uint8		code[FLEXIBLE_ARRAY_MEMBER];
} HnswElementTupleData;

typedef HnswElementTupleData *HnswElementTuple;

StaticAssertDecl(offsetof(HnswElementTupleData, code) == 24,
				 "element codes start 8-byte aligned, where float4 vectors always did");

/* vector tuples of a code of `bytes` bytes, and the bytes in its element */
#define HNSW_VECTOR_TUPLES(bytes) (((bytes) - 1) / HNSW_VECTOR_PART_BYTES)
#define HNSW_INLINE_BYTES(bytes) ((bytes) - HNSW_VECTOR_PART_BYTES * HNSW_VECTOR_TUPLES(bytes))

#define HNSW_ELEMENT_TUPLE_SIZE(bytes) \
	MAXALIGN(offsetof(HnswElementTupleData, code) + HNSW_INLINE_BYTES(bytes) + \
			 (HNSW_VECTOR_TUPLES(bytes) > 0 ? sizeof(ItemPointerData) : 0))

/*
 * a split code's first vector tuple: right after the element's bytes
 * (2-byte aligned: split codes are of float4 or float16, an even count)
 */
#define HNSW_ELEMENT_NEXT(etup, bytes) \
	((ItemPointer) ((etup)->code + HNSW_INLINE_BYTES(bytes)))

/*
 * count is the part's length in 4-byte words, whatever the format: 2000,
 * as the floats it counted before formats
 */
#define HNSW_VECTOR_PART_COUNT (HNSW_VECTOR_PART_BYTES / 4)

typedef struct HnswVectorTupleData
{
	uint8		type;
	uint8		unused;
	uint16		count;			/* HNSW_VECTOR_PART_COUNT */
	ItemPointerData next;		/* invalid in the last part */
	uint16		unused2;		/* the bytes start at byte 12 */
	uint8		code[FLEXIBLE_ARRAY_MEMBER];
} HnswVectorTupleData;

typedef HnswVectorTupleData *HnswVectorTuple;

StaticAssertDecl(offsetof(HnswVectorTupleData, code) == 12, "vector tuple codes start at byte 12");

#define HNSW_VECTOR_TUPLE_SIZE \
	MAXALIGN(offsetof(HnswVectorTupleData, code) + HNSW_VECTOR_PART_BYTES)

StaticAssertDecl(HNSW_VECTOR_TUPLE_SIZE + sizeof(ItemIdData) <=
				 BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(HnswPageOpaqueData)),
				 "a vector tuple fits on a page");
StaticAssertDecl(HNSW_ELEMENT_TUPLE_SIZE(HNSW_MAX_DIM * sizeof(float)) + sizeof(ItemIdData) <=
				 BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(HnswPageOpaqueData)),
				 "an element tuple fits on a page");

/* an element of a sparse code: never split, whatever its size */
#define HNSW_SPARSE_ELEMENT_TUPLE_SIZE(bytes) \
	MAXALIGN(offsetof(HnswElementTupleData, code) + (bytes))

StaticAssertDecl(HNSW_SPARSE_ELEMENT_TUPLE_SIZE(HNSW_SPARSE_CODE_BYTES(HNSW_SPARSE_MAX_NNZ)) +
				 sizeof(ItemIdData) <=
				 BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(HnswPageOpaqueData)),
				 "the element of a sparse code of the most non-zeros fits on a page");

typedef struct HnswNeighborTupleData
{
	uint8		type;
	uint8		unused;
	uint16		count;			/* slots: (level + 2) * m */
	ItemPointerData indextids[FLEXIBLE_ARRAY_MEMBER];
} HnswNeighborTupleData;

typedef HnswNeighborTupleData *HnswNeighborTuple;

#define HNSW_NEIGHBOR_TUPLE_SIZE(level, m) \
	MAXALIGN(offsetof(HnswNeighborTupleData, indextids) + \
			 sizeof(ItemPointerData) * ((level) + 2) * (m))

/* the slots of one layer inside a neighbour tuple */
#define HNSW_LAYER_START(layer, m) ((layer) == 0 ? 0 : 2 * (m) + ((layer) - 1) * (m))
#define HNSW_LAYER_SLOTS(layer, m) ((layer) == 0 ? 2 * (m) : (m))

/* What a search keeps of one element it has seen. */
typedef struct HnswCandidate
{
	ItemPointerData tid;		/* of the element tuple */
	ItemPointerData heaptid;
	ItemPointerData neighbortid;
	ItemPointerData parent;
	double		distance;
	int			level;
	int			slot;			/* in a neighbour list being rewritten */
	bool		deleted;
	void	   *code;			/* copy, when asked for */
} HnswCandidate;

/* A set of TIDs (open addressing), for the elements a search has seen. */
typedef struct HnswTidSet
{
	uint64	   *keys;			/* 0: empty */
	uint32		capacity;		/* a power of two */
	uint32		count;
	MemoryContext context;
} HnswTidSet;

/* a search reads memory it can name ahead of time */
#if defined(__GNUC__)
#define HNSW_PREFETCH(p) __builtin_prefetch(p)
#else
#define HNSW_PREFETCH(p) ((void) 0)
#endif

/*
 * What a search of ef sees, to size its set of seen elements: about 15 ef
 * on 100K clustered rows at ef 40, fewer per ef as ef grows (more of the
 * links found lead back to elements seen)
 */
#define HNSW_SEEN_EXPECTED(ef) (Min(16 * (ef), 1024) + 256)

/*
 * A build searches for each element with its own vector as a scan at this
 * ef_search searches (layer 1 as wide as Max(ef / 4, 8), as scans), and
 * links those missed: hnsw_graph_refind in memory, hnsw_tree_refind on
 * the pages for a build that inserted rows on disk.  VACUUM searches so
 * for each element whose list it repaired.
 */
#define HNSW_REFIND_EF 10

/*
 * A map from TIDs to ints (open addressing, growing at half full): what
 * VACUUM and the tree keep per element; much smaller and faster than a
 * dynahash table at a million elements.
 */
typedef struct HnswTidMap
{
	uint64	   *keys;			/* 0: empty */
	int32	   *values;
	uint32		capacity;		/* a power of two */
	uint32		count;
	MemoryContext context;
} HnswTidMap;

/* An open index: options, metric, format and dimensions. */
typedef struct HnswIndex
{
	Relation	index;
	LinalDistance kind;
	HnswFormat	format;			/* of its codes (the metapage's) */
	HnswFormat	key_format;		/* of its keys' type: format, unless quantized */
	int			dimensions;
	int			code_bytes;		/* of a code of `dimensions` in `format`; the
								 * largest sparse code */
	int			code_bytes_mean;	/* expected per code: code_bytes, or for
									 * sparse codes a guess (the build's graph
									 * sizes its memory by it) */
	HnswCodeDistance distance;	/* of (format, kind) */
	int			m;
	int			ef_construction;
	BlockNumber nblocks;		/* known size; refreshed when a TID is past it */
} HnswIndex;

/* hnsw.c */
extern void linal_hnsw_init(void);
extern int	hnsw_option_m(Relation index);
extern int	hnsw_option_ef_construction(Relation index);
extern HnswQuantization hnsw_option_quantization(Relation index);
extern const char *hnsw_quantization_name(HnswQuantization q);

/* hnswutils.c */
extern void hnsw_open(HnswIndex *hi, Relation index);
extern void hnsw_open_scan(HnswIndex *hi, Relation index, const HnswMetaPageData *meta);
extern void hnsw_close_scan(HnswIndex *hi);
extern LinalDistance hnsw_index_distance(Relation index);
extern HnswFormat hnsw_index_format(Relation index);
extern HnswFormat hnsw_key_format(Relation index);
extern Buffer hnsw_new_buffer(Relation index, ForkNumber fork);
extern Buffer hnsw_read_block(HnswIndex *hi, BlockNumber blkno);
extern void hnsw_init_page(Page page, Size special);
extern void hnsw_read_meta(Relation index, HnswMetaPageData *meta);
extern HnswCandidate *hnsw_load(HnswIndex *hi, ItemPointer tid, const void *query,
								bool keep_vector);
extern void hnsw_load_into(HnswIndex *hi, ItemPointer tid, const void *query,
						   bool keep_vector, HnswCandidate *c);
extern void hnsw_load_batch(HnswIndex *hi, const ItemPointerData *tids, int n,
							const void *query, bool keep_vectors, HnswCandidate *out);
extern int	hnsw_load_neighbors(HnswIndex *hi, ItemPointer neighbortid, int layer,
								ItemPointerData *out);
extern List *hnsw_search_layer(HnswIndex *hi, const void *query, List *entries,
							   int ef, int layer, bool keep_vectors, HnswTidSet *visited);
typedef struct HnswLayerSearch HnswLayerSearch;
extern HnswLayerSearch *hnsw_layer_search_start(HnswIndex *hi, const void *query, List *entries,
												int ef, int layer, HnswTidSet *visited);
extern void hnsw_layer_search_widen(HnswLayerSearch *search, int ef);
extern List *hnsw_layer_search_found(HnswLayerSearch *search);
extern HnswTidSet *hnsw_tidset_create(MemoryContext context, int expected);
extern bool hnsw_tidset_add(HnswTidSet *set, ItemPointer tid);
extern bool hnsw_tidset_contains(const HnswTidSet *set, ItemPointer tid);
extern bool hnsw_tidset_add_key(HnswTidSet *set, uint64 key);
extern HnswTidMap *hnsw_tidmap_create(MemoryContext context, int64 expected);
extern int32 *hnsw_tidmap_insert(HnswTidMap *map, ItemPointer tid, bool *found);
extern int32 hnsw_tidmap_get(HnswTidMap *map, ItemPointer tid);
extern void hnsw_set_parent(HnswIndex *hi, ItemPointer tid, ItemPointer parent);
extern void hnsw_set_unadopted(Relation index, bool add);
extern int	hnsw_random_level(pg_prng_state *prng, int m);
extern List *hnsw_search_to_layer(HnswIndex *hi, const void *query, HnswMetaPageData *meta,
								  int target_layer, bool keep_vectors);

/* the access method's callbacks: hnswbuild.c, hnswscan.c, hnswvacuum.c */
extern IndexBuildResult *hnsw_build(Relation heap, Relation index, IndexInfo *indexInfo);
extern void hnsw_build_empty(Relation index);
extern bool hnsw_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
						Relation heap, IndexUniqueCheck checkUnique, bool indexUnchanged,
						IndexInfo *indexInfo);
extern IndexScanDesc hnsw_begin_scan(Relation index, int nkeys, int norderbys);
extern void hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
extern bool hnsw_get_tuple(IndexScanDesc scan, ScanDirection dir);
extern void hnsw_end_scan(IndexScanDesc scan);
extern IndexBulkDeleteResult *hnsw_bulk_delete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
											   IndexBulkDeleteCallback callback, void *callback_state);
extern IndexBulkDeleteResult *hnsw_vacuum_cleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats);

/* hnswbuild.c: what the serial and the parallel build share */
extern void *hnsw_build_prepare_value(HnswIndex *hi, Datum value);
extern void hnsw_build_notice_spill(int64 rows_in_graph);
extern void hnsw_build_finish_on_disk(HnswIndex *hi, bool orphans);

/*
 * hnswparallel.c: a build with the leader and up to nworkers workers, in a
 * graph with room for graph_rows rows (within maintenance_work_mem); false
 * when no shared memory could be had (then build serially)
 */
extern bool hnsw_build_parallel(Relation heap, Relation index, IndexInfo *indexInfo,
								HnswIndex *hi, int nworkers, double graph_rows,
								IndexBuildResult *result);
extern PGDLLEXPORT void hnsw_parallel_build_main(dsm_segment *seg, shm_toc *toc);

/* hnswcheck.c: a linal_hnsw index the user may check, and its table */
extern Relation hnsw_open_checked(Oid indexoid, const char *caller, bool owner_only,
								  LOCKMODE heap_lock, LOCKMODE index_lock, Relation *heap);

/* hnswinsert.c: false when no neighbour took a link to the new element */
extern bool hnsw_insert_element(HnswIndex *hi, const void *code, ItemPointer heaptid);
extern bool hnsw_add_link(HnswIndex *hi, HnswCandidate *from, ItemPointer new_tid,
						  const void *new_code, double distance, int layer, bool force);

/* hnswvector.c: codes longer than a page (hnsw.h's layout) */
extern void hnsw_vector_set_element(HnswElementTuple etup, const void *code, int bytes,
									ItemPointer first);
extern void hnsw_element_set_code(const HnswIndex *hi, HnswElementTuple etup, const void *code,
								  ItemPointer first);
extern void hnsw_vector_set_part(HnswVectorTuple vtup, const void *code, int bytes, int part,
								 ItemPointer next);
extern void hnsw_vector_write(HnswIndex *hi, const void *code, BlockNumber insert_page,
							  ItemPointer first);
extern void hnsw_vector_load(HnswIndex *hi, Buffer buf, HnswElementTuple etup,
							 const void *query, bool keep_vector, HnswCandidate *c);

/*
 * hnswcode.c: the formats of codes.  An indexed value (a key of the
 * index's type, or a scan's query) is read with hnsw_value_read, which
 * checks its type's element type and shape; its code is what
 * hnsw_value_encode writes (false: not indexed, a zero vector under
 * cosine).
 */
typedef struct HnswValue
{
	int			dimensions;		/* elements, or bits */
	int			nnz;			/* of a sparsetensor: its non-zeros (data: the value) */
	int			rank;			/* of a tensor or halftensor; 1 for bit */
	const int32 *dims;			/* its shape (rank entries) */
	const void *data;
} HnswValue;

extern HnswFormat hnsw_format_of_type(Oid typid);
extern const char *hnsw_format_name(HnswFormat format);
extern int	hnsw_code_bytes(HnswFormat format, int dimensions);
extern HnswCodeDistance hnsw_code_distance(HnswFormat format, LinalDistance kind);
extern HnswCodeDistance hnsw_code_sum(HnswFormat format, LinalDistance kind);
extern double hnsw_code_finish(LinalDistance kind, double sum);
extern void hnsw_set_format(HnswIndex *hi, HnswFormat format, int dimensions);
extern void hnsw_value_read(HnswIndex *hi, Datum value, HnswValue *v);
extern bool hnsw_value_encode(HnswIndex *hi, const HnswValue *v, void *code);
extern int	hnsw_value_code_bytes(const HnswIndex *hi, const HnswValue *v);
extern bool hnsw_value_floats(const HnswIndex *hi, const HnswValue *v, float *out);
extern void hnsw_floats_encode(const HnswIndex *hi, const float *x, void *code);
extern HnswCodeDistance hnsw_float_code_distance(HnswFormat format, LinalDistance kind);
extern void hnsw_code_stats(HnswFormat format, const void *code, int bytes, bool *finite,
							double *sum_squares);
extern const char *hnsw_code_problem(HnswFormat format, const void *code, int bytes);
extern const char *hnsw_sparse_code_problem(const void *code, int avail_bytes, int dim);
extern double hnsw_code_norm_slack(HnswFormat format, const void *code);
extern bool hnsw_format_is_quantized(HnswFormat format);
extern bool hnsw_format_fits_key(HnswFormat format, HnswFormat key);
extern double hnsw_code_bound(const HnswIndex *hi, const float *query, double query_norm,
							  const void *code);

/* the distance of two codes of hi */
static inline double
hnsw_distance(const HnswIndex *hi, const void *a, const void *b)
{
	return hi->distance(a, b, hi->code_bytes);
}

/*
 * Whether hi's build graph and inserts take each row's floats rather than
 * its code: an int8 index chooses a new element's links by the distance
 * of its floats to the stored codes (the build's graph holds codes too,
 * hnswgraph.c).  A binary index's graph is built on codes alone: its
 * scans search by Hamming distance, on which a graph built on exact
 * distances is much harder to navigate (docs/BENCHMARKS.md).
 */
static inline bool
hnsw_rows_are_floats(const HnswIndex *hi)
{
	return hi->format == LINAL_HNSW_FORMAT_INT8;
}

/* the bytes of one code of hi: code_bytes, but for a sparse code its own */
static inline int
hnsw_code_size(const HnswIndex *hi, const void *code)
{
	if (likely(hi->format != LINAL_HNSW_FORMAT_SPARSE))
		return hi->code_bytes;
	return HNSW_SPARSE_CODE_BYTES(HNSW_SPARSE_NNZ(code));
}

/* the vector tuples of every code of hi: none for sparse codes */
static inline int
hnsw_vector_tuples(const HnswIndex *hi)
{
	if (hi->format == LINAL_HNSW_FORMAT_SPARSE)
		return 0;
	return HNSW_VECTOR_TUPLES(hi->code_bytes);
}

/*
 * the bytes of one row as the build and inserts take it
 * (hnsw_build_prepare_value): its floats, or its code
 */
static inline int
hnsw_row_size(const HnswIndex *hi, const void *row)
{
	if (hnsw_rows_are_floats(hi))
		return hi->dimensions * (int) sizeof(float);
	return hnsw_code_size(hi, row);
}

/* the size of the element tuple of code */
static inline Size
hnsw_element_size(const HnswIndex *hi, const void *code)
{
	if (likely(hi->format != LINAL_HNSW_FORMAT_SPARSE))
		return HNSW_ELEMENT_TUPLE_SIZE(hi->code_bytes);
	return HNSW_SPARSE_ELEMENT_TUPLE_SIZE(hnsw_code_size(hi, code));
}

/*
 * hnswtree.c: the tree of ways in, as VACUUM and the end of a build see
 * it: every element's parent, read from the pages, and new parents for
 * the live elements whose parents do not lead to the entry point (cut)
 */
typedef struct HnswTree HnswTree;

extern HnswTree *hnsw_tree_create(MemoryContext context);
extern void hnsw_tree_add(HnswTree *tree, ItemPointer tid, ItemPointer parent, bool deleted);
extern void hnsw_tree_scan(HnswTree *tree, Relation index, BufferAccessStrategy strategy);
extern bool hnsw_tree_is_deleted(HnswTree *tree, ItemPointer tid);
extern bool hnsw_tree_has_deleted(HnswTree *tree);
extern void hnsw_tree_find_cut(HnswTree *tree, ItemPointer root);
extern bool hnsw_tree_link(HnswTree *tree, ItemPointer from, ItemPointer to);
extern int64 hnsw_tree_repair(HnswIndex *hi, HnswTree *tree, int64 *searched, int64 *left);
extern bool hnsw_tree_refind(HnswIndex *hi, HnswTree *tree, ItemPointer tid, int ef);
extern int64 hnsw_tree_refind_all(HnswIndex *hi, HnswTree *tree, int ef, int64 *searched);
extern int64 hnsw_tree_flatten(HnswIndex *hi, HnswTree *tree, ItemPointer root);

#endif							/* LINAL_HNSW_H */
