/* The one logging facility of kxen.
 *
 * Every line carries the component name and, for per-domain processes, the
 * domain id, like libxl's LOGD. errno is passed explicitly (0 for none) so
 * that a log call never depends on what happened to errno in between.
 * Libraries return errors; only the top of a command or daemon loop logs.
 * The sink and level are the only process-wide state (see STYLE.md §8). */
#ifndef KXEN_LIB_LOG_H
#define KXEN_LIB_LOG_H

#include <stdio.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Name the process ("xenstored", "monitor") and its domain (-1: none). */
void log_init(const char *component, int domid);
void log_set_domid(int domid);
void log_set_level(enum log_level level);
/* Send lines to f (default stderr). The caller keeps ownership of f. */
void log_set_file(FILE *f);
/* Parse "error", "warn", "info" or "debug"; -1 if unknown. */
int log_level_parse(const char *s);

void log_msg(enum log_level level, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(err, ...) log_msg(LOG_LEVEL_ERROR, (err), __VA_ARGS__)
#define log_warn(err, ...) log_msg(LOG_LEVEL_WARN, (err), __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)

#endif
