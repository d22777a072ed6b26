#include "util/error.h"
#include "util/escape.h"

#include <stdio.h>
#include <string.h>

/* One message per thread, as libgit2 does: errors are reported by return code, and the
 * message is only read by the caller that got the code, on the same thread. */
static _Thread_local char last_message[1024];

/* Messages quote names and text from repositories and servers: their control characters are
 * escaped here, once for every message, before anything can print them. */
int clm_error_setv(int code, const char *fmt, va_list ap)
{
	char raw[sizeof(last_message)];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	clm_escape_controls_to(raw, last_message, sizeof(last_message));
	return code;
}

int clm_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	clm_error_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

int clm_error_wrap(int code, const char *fmt, ...)
{
	char raw[512], prefix[512], old[sizeof(last_message)];
	va_list ap;

	memcpy(old, last_message, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	clm_escape_controls_to(raw, prefix, sizeof(prefix));
	if (old[0])
		snprintf(last_message, sizeof(last_message), "%s: %s", prefix, old);
	else
		snprintf(last_message, sizeof(last_message), "%s", prefix);
	return code;
}

const char *clm_error(void)
{
	return last_message;
}

void clm_error_clear(void)
{
	last_message[0] = '\0';
}

int clm_error_oom(void)
{
	return clm_error_set(CLM_ENOMEM, "out of memory");
}
