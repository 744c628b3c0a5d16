# bootloader/: kxen-pygrub, the bootloader xend runs for bootloader="pygrub"
# (toolstack/bootloader.c). Includes only libc, libext2fs, liblzma, zlib.
BOOTCFG_SRCS := bootloader/bootcfg.c
PYGRUB_SRCS := bootloader/pygrub.c bootloader/diskfs.c bootloader/kimage.c \
	bootloader/privsep.c $(BOOTCFG_SRCS)

$(eval $(call program,kxen-pygrub,$(PYGRUB_SRCS),-lext2fs -lcom_err -llzma -lz))
$(eval $(call unit_test,bootcfg_test,bootloader/bootcfg_test.c $(BOOTCFG_SRCS),))
$(eval $(call unit_test,kimage_test,bootloader/kimage_test.c bootloader/kimage.c bootloader/diskfs.c,-lext2fs -lcom_err -llzma -lz))
$(eval $(call fuzzer,fuzz_bootcfg,fuzz/fuzz_bootcfg.c $(BOOTCFG_SRCS),))
