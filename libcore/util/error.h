/* Error reporting: functions return 0 or a negative CLM_E* code and leave a message here. */
#ifndef CLM_UTIL_ERROR_H
#define CLM_UTIL_ERROR_H

#include <stdarg.h>

enum {
	CLM_OK = 0,
	CLM_EGENERIC = -1,  /* any failure with a message */
	CLM_ENOTFOUND = -2, /* a named thing (ref, version, file, task) does not exist */
	CLM_EINVALID = -3,  /* malformed input: parser rejections, bad arguments */
	CLM_ENOMEM = -4,    /* allocation failed */
	CLM_EIO = -5,       /* a read or write failed */
	CLM_ELOCKED = -6,   /* another process holds the lock */
	CLM_ECONFLICT = -7, /* compare-and-swap lost: something changed under us */
	CLM_EINTERRUPT = -8 /* the user interrupted (SIGINT); state is as before */
};

/* Set the calling thread's message (printf format) and return `code`. */
int clm_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like clm_error_set, with a va_list. */
int clm_error_setv(int code, const char *fmt, va_list ap);

/* Prefix the current message with "<prefix>: " (printf format), return `code`. */
int clm_error_wrap(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The calling thread's last message; "" when none. Valid until the next set. */
const char *clm_error(void);

/* Forget the last message. */
void clm_error_clear(void);

/* Set a CLM_ENOMEM message and return CLM_ENOMEM. */
int clm_error_oom(void);

#endif
