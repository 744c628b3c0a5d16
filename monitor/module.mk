# monitor/ + hv/: the per-domain monitor process, kxen-monitor.
HV_SRCS := hv/hypercall.c hv/sched.c hv/xen_version.c hv/console_io.c hv/cpuid.c \
	hv/evtchn.c hv/memory.c hv/hvm.c hv/vcpu_op.c hv/gnttab.c hv/timer.c
MONITOR_CORE_SRCS := monitor/pvh.c monitor/guestmem.c monitor/boot.c monitor/acpi.c \
	monitor/domain.c monitor/platform.c backends/console.c
# The split-driver backends (backends/module.mk, hotplug/module.mk) and
# their XenBus glue.
DEVICE_SRCS := backends/xenbus_be.c backends/xenbus_keys.c monitor/devices.c monitor/dev_vbd.c \
	monitor/dev_vif.c $(sort $(BLKBACK_SRCS) $(NETBACK_SRCS) $(TAP_SRCS))
MONITOR_SRCS := monitor/main.c monitor/vm.c monitor/vcpu.c monitor/xen_kvm.c \
	monitor/ctl.c monitor/client.c monitor/store.c xenstore/client.c \
	$(DEVICE_SRCS) $(MONITOR_CORE_SRCS) $(HV_SRCS) $(LIB_SRCS)

$(B)/obj/monitor/dev_vif.o: CFLAGS += $(NL_CFLAGS)
$(eval $(call program,kxen-monitor,$(MONITOR_SRCS),-ljansson $(BLKBACK_LIBS) $(NL_LIBS)))

$(eval $(call unit_test,pvh_test,monitor/pvh_test.c monitor/pvh.c,))
# hv/ tested and fuzzed without KVM: the fake stands in for xen_kvm.c.
HV_TEST_SRCS := $(HV_SRCS) $(MONITOR_CORE_SRCS) monitor/vcpu.c hv/xen_kvm_fake.c $(LIB_SRCS)
$(eval $(call unit_test,hypercall_test,hv/hypercall_test.c $(HV_TEST_SRCS),))
# The XenBus handshake against a fake frontend: xenstored (built) on a
# temporary socket, the domain's memory and ports as in hypercall_test.
$(eval $(call unit_test,devices_test,monitor/devices_test.c xenstore/client.c $(DEVICE_SRCS) $(HV_TEST_SRCS),$(BLKBACK_LIBS) $(NL_LIBS)))

$(eval $(call fuzzer,fuzz_pvh,fuzz/fuzz_pvh.c monitor/pvh.c,))
$(eval $(call fuzzer,fuzz_hypercall,fuzz/fuzz_hypercall.c $(HV_TEST_SRCS),))
$(eval $(call fuzzer,fuzz_console_ring,fuzz/fuzz_console_ring.c backends/console.c,))
$(eval $(call fuzzer,fuzz_monitor_ctl,fuzz/fuzz_monitor_ctl.c monitor/ctl.c $(MONITOR_CORE_SRCS) monitor/vcpu.c $(HV_SRCS) hv/xen_kvm_fake.c $(LIB_SRCS),-ljansson))
