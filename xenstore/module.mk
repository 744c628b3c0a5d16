# xenstore/: xenstored, its client library, tests and fuzzers.
XS_CORE_SRCS := xenstore/arena.c xenstore/store.c xenstore/store_ops.c \
	xenstore/txn.c xenstore/watch.c xenstore/wire.c
XS_DAEMON_SRCS := $(XS_CORE_SRCS) xenstore/conn.c xenstore/ops.c \
	xenstore/xsd.c xenstore/domain.c xenstore/control.c \
	xenstore/journal.c xenstore/liveupdate.c xenstore/fdkeep.c

$(eval $(call program,xenstored,$(XS_DAEMON_SRCS) xenstore/main.c $(LIB_SRCS),))

$(eval $(call unit_test,xenstore_store_test,$(XS_CORE_SRCS) xenstore/store_test.c $(LIB_SRCS),))
$(eval $(call unit_test,xenstore_txn_test,$(XS_CORE_SRCS) xenstore/txn_test.c $(LIB_SRCS),))
$(eval $(call unit_test,xenstore_watch_test,$(XS_CORE_SRCS) xenstore/watch_test.c $(LIB_SRCS),))
$(eval $(call unit_test,xenstore_ops_test,$(XS_DAEMON_SRCS) xenstore/ops_test.c $(LIB_SRCS),))

$(eval $(call fuzzer,fuzz_xs_wire,fuzz/fuzz_xs_wire.c $(XS_DAEMON_SRCS) $(LIB_SRCS),))
$(eval $(call fuzzer,fuzz_xs_ring,fuzz/fuzz_xs_ring.c $(XS_DAEMON_SRCS) $(LIB_SRCS),))

$(eval $(call program,xenstore-bench,bench/xenstore_bench.c,))
# Runs build*/bin/xenstored, which `make check` builds first.
$(eval $(call unit_test,xenstore_client_test,xenstore/client.c xenstore/client_test.c $(LIB_SRCS),))
$(eval $(call unit_test,xenstore_journal_test,$(XS_CORE_SRCS) xenstore/journal.c xenstore/journal_test.c $(LIB_SRCS),))
$(eval $(call fuzzer,fuzz_xs_journal,fuzz/fuzz_xs_journal.c $(XS_CORE_SRCS) xenstore/journal.c $(LIB_SRCS),))
