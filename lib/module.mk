# lib/: small standalone units, libc only.
LIB_SRCS := lib/log.c
