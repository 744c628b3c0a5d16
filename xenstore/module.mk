# xenstore/: xenstored, its client library, tests and fuzzers.
XS_CORE_SRCS := xenstore/arena.c xenstore/store.c xenstore/store_ops.c \
	xenstore/txn.c xenstore/watch.c xenstore/wire.c
XS_DAEMON_SRCS := $(XS_CORE_SRCS) xenstore/conn.c xenstore/ops.c \
	xenstore/xsd.c xenstore/domain.c xenstore/control.c \
	xenstore/journal.c xenstore/liveupdate.c

$(eval $(call program,xenstored,$(XS_DAEMON_SRCS) xenstore/main.c $(LIB_SRCS),))
