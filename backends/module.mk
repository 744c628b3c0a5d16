# backends/blkback*: the blkif ring backend (monitor links BLKBACK_SRCS
# with BLKBACK_LIBS). lib/module.mk is included after this file, so
# LIB_SRCS is still empty here: name lib/log.c directly.
# They need backends/gnttab.c too, which the monitor may already link.
BLKBACK_SRCS := backends/blkback.c backends/blkback_req.c \
	backends/blkback_uring.c backends/blkback_sync.c
BLKBACK_LIBS := -luring
BLKBACK_TEST_SRCS := $(BLKBACK_SRCS) backends/gnttab.c lib/log.c

$(eval $(call unit_test,blkback_test,backends/blkback_test.c $(BLKBACK_TEST_SRCS),$(BLKBACK_LIBS)))
$(eval $(call fuzzer,fuzz_blkback,fuzz/fuzz_blkback.c $(BLKBACK_TEST_SRCS),$(BLKBACK_LIBS)))
