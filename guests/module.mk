# guests/: tiny PVH test guests in assembly, linked at 1 MiB.
GUEST_NAMES := smoke hostile

GUESTS += $(patsubst %,$(B)/guests/%.elf,$(GUEST_NAMES))

$(B)/guests/%.elf: $(B)/obj/guests/%.o guests/guest.ld
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)ld -m elf_x86_64 -static -nostdlib --no-warn-rwx-segments -T guests/guest.ld -o $@ $<

$(B)/obj/guests/%.o: guests/%.S guests/guest-abi.h
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) -D__ASSEMBLY__ $(XEN_IFACE) -I. -c -o $@ $<

# The ABI cross-check compiles only; it fails the build on a mismatch.
GUESTS += $(B)/obj/guests/abi_check.o
