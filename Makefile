# linal: PGXS build.
#
#   make                     build linal.so and linal--1.0.sql
#   make install             install into the server found by $(PG_CONFIG)
#   make installcheck        pg_regress suite (sql/ + expected/) against a running server
#   make prove_installcheck  TAP tests in t/ (each starts its own clusters)
#   make bench               kernel micro-benchmark (see bench/)
#
# The install script linal--1.0.sql is assembled from src/sql/*.sql in name
# order, so each feature keeps its SQL next to the others of its kind.

EXTENSION = linal
MODULE_big = linal
DATA_built = linal--1.0.sql

SRCS = $(sort $(wildcard src/*.c src/types/*.c src/kernels/*.c src/algebra/*.c src/am/*.c src/exec/*.c))
OBJS = $(SRCS:.c=.o)
HEADERS = $(wildcard src/*.h src/*/*.h)

SQL_PARTS = $(sort $(wildcard src/sql/*.sql))

# Every sql/<name>.sql is a regression test; pg_regress creates the extension first.
REGRESS = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=linal

BLAS_INCLUDE ?= $(firstword $(wildcard /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/aarch64-linux-gnu/openblas-pthread /usr/include/openblas))
PG_CPPFLAGS = -I$(srcdir)/src $(if $(BLAS_INCLUDE),-I$(BLAS_INCLUDE))
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
SHLIB_LINK = -lm -ldl

EXTRA_CLEAN = fuzz/tensor_fuzz fuzz/corpus-tmp bench/kernel_bench

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

linal--1.0.sql: $(SQL_PARTS)
	cat $^ > $@

$(OBJS): $(HEADERS)

# TAP tests run on their own (PGXS would otherwise add them to installcheck).
.PHONY: prove_installcheck
prove_installcheck:
	$(prove_installcheck)

.PHONY: bench
bench:
	$(MAKE) -C test/kernels kernel_bench
	test/kernels/kernel_bench
