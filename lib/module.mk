# lib/: small standalone units, libc only: the log, Unix sockets by path.
LIB_SRCS := lib/log.c lib/unix_sock.c

$(eval $(call unit_test,unix_sock_test,lib/unix_sock_test.c lib/unix_sock.c,))
