# kxen build: plain GNU make, non-recursive.
#
#   make              build every binary into build/bin
#   make SAN=1        the same with ASan + UBSan, into build-san/
#   make check        build and run the unit tests (use SAN=1 in CI)
#   make fuzz         build the libFuzzer harnesses (clang) into build-fuzz/
#   make fuzz-smoke   run each harness for a few seconds on its seed corpus
#   make install      daemons, xm/xl, hotplug scripts, image tools (DESTDIR, PREFIX)
#
# Each component folder has a module.mk that declares its programs, unit
# tests and fuzzers with the templates below; this file only includes them.

.DEFAULT_GOAL := all
SAN ?= 0
V ?= 0

ifeq ($(SAN),1)
B := build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
B := build
SANFLAGS :=
endif

CC ?= cc
# Xen public headers: the latest interface, as Xen itself is built (the
# default, 0, is the legacy interface: sched_op would be sched_op_compat).
XEN_IFACE := -D__XEN_INTERFACE_VERSION__=0x00040e00
CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -I. -pthread \
	$(XEN_IFACE)
CFLAGS += $(CFLAGS_BASE) $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS) -pthread
CMOCKA_LIBS := -lcmocka

FUZZ_CC := clang
FUZZ_B := build-fuzz
FUZZ_CFLAGS := $(CFLAGS_BASE) -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -DKXEN_FUZZ=1

ifeq ($(V),0)
Q := @
else
Q :=
endif

PROGRAMS :=
UNIT_TESTS :=
FUZZERS :=
GUESTS :=

# $(call objs,SRCS): object files for sources in the current build dir.
objs = $(patsubst %.c,$(B)/obj/%.o,$(filter %.c,$(1))) $(patsubst %.S,$(B)/obj/%.o,$(filter %.S,$(1)))
fuzz_objs = $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(1))

# $(eval $(call program,NAME,SRCS,LIBS)): build/bin/NAME
define program
PROGRAMS += $(B)/bin/$(1)
$(B)/bin/$(1): $(call objs,$(2))
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(CC) $(LDFLAGS) -o $$@ $$^ $(3)
endef

# $(eval $(call unit_test,NAME,SRCS,LIBS)): a cmocka test run by `make check`
define unit_test
UNIT_TESTS += $(B)/test/$(1)
$(B)/test/$(1): $(call objs,$(2))
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(CC) $(LDFLAGS) -o $$@ $$^ $(3) $(CMOCKA_LIBS)
endef

# $(eval $(call fuzzer,NAME,SRCS,LIBS)): a libFuzzer harness; seeds in fuzz/corpus/NAME
define fuzzer
FUZZERS += $(FUZZ_B)/$(1)
$(FUZZ_B)/$(1): $(call fuzz_objs,$(2))
	@mkdir -p $$(@D)
	@echo "  FUZZLD  $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ $$^ $(3)
endef

include $(sort $(wildcard */module.mk))

.PHONY: all check fuzz fuzz-smoke clean print-cflags
# For scripts/check-werror: the exact flags every object is built with.
print-cflags:
	@echo $(CFLAGS)

all: $(PROGRAMS) $(GUESTS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/obj/%.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

# Each unit test prints cmocka's summary; a failing test fails the target.
check: $(UNIT_TESTS) $(PROGRAMS) $(GUESTS)
	@fail=0; for t in $(UNIT_TESTS); do \
	  echo "== $$t"; $$t || fail=1; \
	done; exit $$fail

fuzz: $(FUZZERS)

FUZZ_SECONDS ?= 5
fuzz-smoke: $(FUZZERS)
	@for f in $(FUZZERS); do \
	  n=$$(basename $$f); mkdir -p $(FUZZ_B)/corpus/$$n; \
	  seeds=; [ -d fuzz/corpus/$$n ] && seeds=fuzz/corpus/$$n; \
	  echo "== fuzz $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 $(FUZZ_B)/corpus/$$n $$seeds 2>$(FUZZ_B)/$$n.log \
	    || { tail -n 40 $(FUZZ_B)/$$n.log; exit 1; }; \
	  grep -E '^(#[0-9]+ *DONE|Done)' $(FUZZ_B)/$$n.log | tail -n 1; \
	done

# `make install`: the daemons and commands into $(PREFIX)/sbin (xl is xm),
# the hotplug scripts into /etc/xen/scripts, the image tools.
.PHONY: install
install: all install-hotplug install-tools
	install -d $(DESTDIR)$(PREFIX)/sbin
	install -m 755 $(B)/bin/xm $(B)/bin/xend $(B)/bin/xenstored \
		$(B)/bin/kxen-monitor $(DESTDIR)$(PREFIX)/sbin/
	ln -sf xm $(DESTDIR)$(PREFIX)/sbin/xl

clean:
	rm -rf build build-san build-fuzz

-include $(shell find build build-san build-fuzz -name '*.d' 2>/dev/null)
