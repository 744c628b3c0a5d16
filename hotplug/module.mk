# Network backend (backends/netback*, backends/tap.c) and the vif hotplug
# scripts in hotplug/. The rules live here so that backends/module.mk
# stays blkback's; a module.mk may name sources in any folder.
# For kxen-monitor: $(NETBACK_SRCS) $(TAP_SRCS), linked with $(NL_LIBS)
# (it already has backends/gnttab.c and lib/log.c). Only tap.c needs
# $(NL_CFLAGS); the headers include no libnl.
NETBACK_SRCS := backends/netback.c backends/netback_tx.c backends/netback_rx.c \
	backends/netback_csum.c
TAP_SRCS := backends/tap.c
NL_CFLAGS := $(shell pkg-config --cflags libnl-route-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS := $(shell pkg-config --libs libnl-route-3.0 2>/dev/null || echo -lnl-route-3 -lnl-3)

# tap.c includes <netlink/...>.
$(B)/obj/backends/tap.o: CFLAGS += $(NL_CFLAGS)

# lib/log.c by name: lib/module.mk (LIB_SRCS) is included after this file.
NETBACK_TEST_SRCS := backends/netback_test_fe.c $(NETBACK_SRCS) backends/gnttab.c lib/log.c
$(eval $(call unit_test,netback_test,backends/netback_test.c $(NETBACK_TEST_SRCS),))
$(eval $(call unit_test,netback_rx_test,backends/netback_rx_test.c $(TAP_SRCS) $(NETBACK_TEST_SRCS),$(NL_LIBS)))
$(eval $(call fuzzer,fuzz_netback,fuzz/fuzz_netback.c $(NETBACK_SRCS) backends/gnttab.c lib/log.c,))

# kxen-mktap: a vif-style tap held open, for the scripts' component test.
$(eval $(call program,kxen-mktap,hotplug/mktap.c $(TAP_SRCS),$(NL_LIBS)))

# Installed into $(DESTDIR)/etc/xen/scripts by `make install-hotplug`.
HOTPLUG_SCRIPTS := hotplug/vif-bridge hotplug/vif-route hotplug/vif-nat hotplug/block-qemu \
	hotplug/network-bridge hotplug/vif-common.sh hotplug/xen-hotplug-common.sh
HOTPLUG_DIR ?= /etc/xen/scripts

.PHONY: install-hotplug
install-hotplug:
	install -d $(DESTDIR)$(HOTPLUG_DIR)
	install -m 0755 $(filter-out %.sh,$(HOTPLUG_SCRIPTS)) $(DESTDIR)$(HOTPLUG_DIR)/
	install -m 0644 $(filter %.sh,$(HOTPLUG_SCRIPTS)) $(DESTDIR)$(HOTPLUG_DIR)/
