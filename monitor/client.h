/* Clients of a monitor's state directory (see ctl.h). */
#ifndef KXEN_MONITOR_CLIENT_H
#define KXEN_MONITOR_CLIENT_H

/* Send one JSON request line to DIR/ctl and print the reply; returns an
 * exit status (0 if the reply says ok). */
int client_ctl_request(const char *dir, const char *request);
/* Attach stdio to DIR/console until it closes (or Ctrl-] on a terminal). */
int client_console(const char *dir);

#endif
