/*-------------------------------------------------------------------------
 *
 * pg_compat.h
 *	  Every difference between the PostgreSQL versions linal builds
 *	  against (15 and 17), behind one name each, so the rest of the code
 *	  is written once.  Included by types/tensor.h and exec/exec.h, hence
 *	  everywhere.
 *
 *	  The macros only name server symbols; each is expanded where it is
 *	  used, so the file that uses one includes the headers it needs
 *	  (utils/rel.h, access/heapam.h, storage/bufmgr.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_PG_COMPAT_H
#define LINAL_PG_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 180000
#error "linal supports PostgreSQL 15 to 17"
#endif

/* 16 moved the varlena macros (VARSIZE, SET_VARSIZE, ...) out of postgres.h */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * The physical file of a relation: a RelFileNode (rd_node) before 16, a
 * RelFileLocator (rd_locator) since; log_newpage and ReadRecentBuffer take
 * whichever the version has.
 */
#if PG_VERSION_NUM >= 160000
#define LINAL_REL_LOCATOR(rel) ((rel)->rd_locator)
#else
#define LINAL_REL_LOCATOR(rel) ((rel)->rd_node)
#endif

/* this backend's index in ProcGlobal->allProcs (MyProcNumber from 17) */
#if PG_VERSION_NUM >= 170000
#define LINAL_MY_PROCNO MyProcNumber
#else
#define LINAL_MY_PROCNO (MyProc->pgprocno)
#endif

/* does the role own the table?  16 made the owner check per catalog */
#if PG_VERSION_NUM >= 160000
#define linal_class_ownercheck(relid, roleid) \
	object_ownercheck(RelationRelationId, (relid), (roleid))
#else
#define linal_class_ownercheck(relid, roleid) pg_class_ownercheck((relid), (roleid))
#endif

/*
 * Make block `block` the current page of a page-at-a-time heap scan: pin it
 * (dropping the previous page's pin) and fill rs_vistuples/rs_ntuples with
 * its visible tuples.  15 exports heapgetpage for that; 17 reads pages
 * through a read stream and exports only the second half,
 * heap_prepare_pagescan, so the pin is taken here as heapgetpage did.
 */
#if PG_VERSION_NUM >= 170000
#define linal_heap_read_page(sscan, block) \
	do { \
		HeapScanDesc linal_hscan_ = (HeapScanDesc) (sscan); \
		\
		if (BufferIsValid(linal_hscan_->rs_cbuf)) \
			ReleaseBuffer(linal_hscan_->rs_cbuf); \
		linal_hscan_->rs_cbuf = InvalidBuffer; \
		linal_hscan_->rs_cbuf = ReadBufferExtended(linal_hscan_->rs_base.rs_rd, \
												   MAIN_FORKNUM, (block), RBM_NORMAL, \
												   linal_hscan_->rs_strategy); \
		linal_hscan_->rs_cblock = (block); \
		heap_prepare_pagescan(sscan); \
	} while (0)
#else
#define linal_heap_read_page(sscan, block) heapgetpage((sscan), (block))
#endif

#endif							/* LINAL_PG_COMPAT_H */
