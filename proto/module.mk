# proto/: wire formats shared by both ends (xm <-> xend today), on jansson.
PROTO_SRCS := proto/xend_proto.c

$(eval $(call unit_test,xend_proto_test,proto/xend_proto_test.c $(PROTO_SRCS),-ljansson))
$(eval $(call fuzzer,fuzz_xend_reply,fuzz/fuzz_xend_reply.c $(PROTO_SRCS),-ljansson))
