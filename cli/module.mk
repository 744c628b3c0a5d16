# cli/: xm, the command-line front end (also installed as xl).
# Includes only proto/, config/ and lib/ (and jansson); reaches xend over
# its socket.
# The first rule in the tree would otherwise become the default goal.

include config/module.mk

XM_SRCS := cli/main.c cli/cmdtable.c cli/cmd_help.c cli/cmd_create.c \
	cli/xend_client.c cli/console.c proto/xend_proto.c lib/unix_sock.c \
	$(CONFIG_SRCS)

$(eval $(call program,xm,$(XM_SRCS),-ljansson))

# xl is the same program under another name.
PROGRAMS += $(B)/bin/xl
$(B)/bin/xl: $(B)/bin/xm
	@echo "  LN      $@"
	$(Q)ln -sf xm $@

$(eval $(call unit_test,cmdtable_test,cli/cmdtable_test.c $(filter-out cli/main.c,$(XM_SRCS)),-ljansson))
$(eval $(call unit_test,console_test,cli/console_test.c $(filter-out cli/main.c,$(XM_SRCS)),-ljansson))
