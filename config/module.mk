# config/: the config file library (xm Python-syntax subset and xl.cfg).
# Includes only lib/ (and needs nothing from it yet) and jansson; used by cli/ (xm
# create -n) and later by toolstack/. Guarded because cli/module.mk, which
# sorts before this file, includes it to get CONFIG_SRCS.
ifndef KXEN_CONFIG_MK
KXEN_CONFIG_MK := 1

CONFIG_SRCS := config/cfg_parse.c config/cfg_keys.c config/cfg_load.c \
	config/cfg_util.c config/disk_spec.c config/vif_spec.c \
	config/cfg_sxp.c config/cfg_json.c

# cfg_json.c builds its JSON with jansson.
CONFIG_LIBS := -ljansson

$(eval $(call unit_test,cfg_parse_test,config/cfg_parse_test.c $(CONFIG_SRCS),$(CONFIG_LIBS)))
$(eval $(call unit_test,cfg_load_test,config/cfg_load_test.c $(CONFIG_SRCS),$(CONFIG_LIBS)))
$(eval $(call unit_test,cfg_spec_test,config/spec_test.c $(CONFIG_SRCS),$(CONFIG_LIBS)))

$(eval $(call fuzzer,fuzz_cfg,fuzz/fuzz_cfg.c $(CONFIG_SRCS),$(CONFIG_LIBS)))
$(eval $(call fuzzer,fuzz_cfg_spec,fuzz/fuzz_cfg_spec.c $(CONFIG_SRCS),$(CONFIG_LIBS)))

endif
