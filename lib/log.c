/* lib/log.c: see log.h. One line per call, written with a single fprintf so
 * that lines from several threads do not interleave. */
#include "lib/log.h"

#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static const char *log_component = "kxen";
static int log_domid = -1;
static enum log_level log_level_max = LOG_LEVEL_INFO;
static FILE *log_file;

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void log_init(const char *component, int domid)
{
	log_component = component;
	log_domid = domid;
}

void log_set_domid(int domid)
{
	log_domid = domid;
}

void log_set_level(enum log_level level)
{
	log_level_max = level;
}

void log_set_file(FILE *f)
{
	log_file = f;
}

int log_level_parse(const char *s)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

void log_msg(enum log_level level, int err, const char *fmt, ...)
{
	char msg[1024], dom[24] = "", errbuf[128] = "";
	struct timeval tv;
	struct tm tm;
	va_list ap;

	if (level > log_level_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_domid >= 0)
		snprintf(dom, sizeof(dom), " d%d", log_domid);
	if (err)
		snprintf(errbuf, sizeof(errbuf), ": %s", strerror(err));
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	fprintf(log_file ? log_file : stderr,
		"%02d:%02d:%02d.%03ld %s%s %s: %s%s\n", tm.tm_hour, tm.tm_min,
		tm.tm_sec, (long)tv.tv_usec / 1000, log_component, dom,
		level_names[level], msg, errbuf);
}
