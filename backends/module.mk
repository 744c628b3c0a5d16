# backends/blkback*: the blkif ring backend. The monitor links
# $(sort $(BLKBACK_SRCS) ...) with BLKBACK_LIBS; gnttab.c is listed here
# and in NETBACK_SRCS, hence the sort. lib/module.mk is included after this
# file, so LIB_SRCS is still empty here: name lib/log.c directly.
BLKBACK_SRCS := backends/blkback.c backends/blkback_req.c \
	backends/blkback_uring.c backends/blkback_sync.c backends/gnttab.c \
	backends/poll_window.c
BLKBACK_LIBS := -luring
BLKBACK_TEST_SRCS := $(BLKBACK_SRCS) lib/log.c

$(eval $(call unit_test,blkback_test,backends/blkback_test.c backends/blkback_test_fe.c $(BLKBACK_TEST_SRCS),$(BLKBACK_LIBS)))
$(eval $(call unit_test,blkback_req_test,backends/blkback_req_test.c backends/blkback_test_fe.c $(BLKBACK_TEST_SRCS),$(BLKBACK_LIBS)))
$(eval $(call fuzzer,fuzz_blkback,fuzz/fuzz_blkback.c $(BLKBACK_TEST_SRCS),$(BLKBACK_LIBS)))
$(eval $(call fuzzer,fuzz_xenbus_keys,fuzz/fuzz_xenbus_keys.c backends/xenbus_keys.c,))
