/* lib/unix_sock.h: Unix stream sockets by path, the one way xenstored,
 * the monitor, xend and xm connect and listen. */
#ifndef KXEN_LIB_UNIX_SOCK_H
#define KXEN_LIB_UNIX_SOCK_H

/* Connect to the socket at path: the fd (blocking, close-on-exec), or
 * -errno; -ENAMETOOLONG when path does not fit a sockaddr_un. With
 * timeout_s > 0, connect, sends and receives give up after that long
 * (EAGAIN) instead of waiting on a peer that does not answer. */
int unix_connect(const char *path, int timeout_s);

/* Listen at path (mode 0600, close-on-exec; flags may add SOCK_NONBLOCK),
 * replacing a socket file left there by an earlier run but no other kind
 * of file. The fd, or -errno. */
int unix_listen(const char *path, int backlog, int flags);

#endif
