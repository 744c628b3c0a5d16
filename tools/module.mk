# tools/: administrator scripts. Copied into build/bin with the programs
# (so the test bed has them on PATH); `make install-tools` installs them
# with kxen-pygrub (PREFIX=/usr, DESTDIR for packaging).
PROGRAMS += $(B)/bin/kxen-create-image
$(B)/bin/kxen-create-image: tools/kxen-create-image
	@mkdir -p $(@D)
	@echo "  CP      $@"
	$(Q)install -m 755 $< $@

PREFIX ?= /usr
.PHONY: install-tools
install-tools: $(B)/bin/kxen-create-image $(B)/bin/kxen-pygrub
	install -D -m 755 $(B)/bin/kxen-create-image $(DESTDIR)$(PREFIX)/sbin/kxen-create-image
	install -D -m 755 $(B)/bin/kxen-pygrub $(DESTDIR)$(PREFIX)/sbin/kxen-pygrub
