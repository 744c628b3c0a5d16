# toolstack/: xend, the host daemon. Includes config/, proto/,
# xenstore/xs.h and lib/; reaches monitors only through their sockets.
include config/module.mk

XEND_LIB_SRCS := toolstack/api.c toolstack/api_conn.c toolstack/api_cmds.c \
	toolstack/api_show.c toolstack/api_info.c toolstack/domain.c \
	toolstack/policy.c toolstack/domid.c toolstack/layout.c \
	toolstack/supervise.c toolstack/adopt.c toolstack/managed.c \
	toolstack/devices.c toolstack/api_devices.c \
	xenstore/client.c proto/xend_proto.c $(CONFIG_SRCS) $(LIB_SRCS)

# bootloader= (pygrub): runs kxen-pygrub, built by bootloader/module.mk
XEND_LIB_SRCS += toolstack/bootloader.c

$(eval $(call program,xend,toolstack/main.c $(XEND_LIB_SRCS),-ljansson))
$(eval $(call fuzzer,fuzz_xend_api,toolstack/fuzz_api.c $(XEND_LIB_SRCS),-ljansson))

$(eval $(call unit_test,xend_domid_test,toolstack/domid_test.c toolstack/domid.c xenstore/client.c $(LIB_SRCS),))
