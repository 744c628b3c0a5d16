# monitor/ + hv/: the per-domain monitor process, kxen-monitor.
HV_SRCS := hv/hypercall.c hv/sched.c hv/xen_version.c hv/console_io.c hv/cpuid.c
MONITOR_CORE_SRCS := monitor/pvh.c monitor/guestmem.c monitor/boot.c \
	monitor/domain.c monitor/platform.c
MONITOR_SRCS := monitor/main.c monitor/vm.c monitor/vcpu.c \
	$(MONITOR_CORE_SRCS) $(HV_SRCS) $(LIB_SRCS)

$(eval $(call program,kxen-monitor,$(MONITOR_SRCS),))

$(eval $(call unit_test,pvh_test,monitor/pvh_test.c monitor/pvh.c,))
$(eval $(call unit_test,hypercall_test,hv/hypercall_test.c $(HV_SRCS) $(MONITOR_CORE_SRCS) monitor/vcpu.c $(LIB_SRCS),))

$(eval $(call fuzzer,fuzz_pvh,fuzz/fuzz_pvh.c monitor/pvh.c,))
$(eval $(call fuzzer,fuzz_hypercall,fuzz/fuzz_hypercall.c $(HV_SRCS) $(MONITOR_CORE_SRCS) monitor/vcpu.c $(LIB_SRCS),))
