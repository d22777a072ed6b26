/* Growable byte strings, always NUL-terminated (git's strbuf idea). */
#ifndef CLM_UTIL_STRBUF_H
#define CLM_UTIL_STRBUF_H

#include <stddef.h>

struct clm_strbuf {
	char *buf;    /* always a valid C string ("" when empty); owned */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t alloc; /* bytes allocated; 0 while buf points at a shared empty string */
};

#define CLM_STRBUF_INIT { (char *)clm_strbuf_empty, 0, 0 }
extern const char clm_strbuf_empty[1];

/* Initialise an empty buffer. */
void clm_strbuf_init(struct clm_strbuf *sb);

/* Free the buffer's memory and leave it empty and reusable. */
void clm_strbuf_release(struct clm_strbuf *sb);

/* Ensure room for `extra` more bytes; 0 or CLM_ENOMEM. */
int clm_strbuf_grow(struct clm_strbuf *sb, size_t extra);

/* Append `len` bytes (may contain NULs); 0 or CLM_ENOMEM. */
int clm_strbuf_add(struct clm_strbuf *sb, const void *data, size_t len);

/* Append `len` bytes as valid UTF-8: each byte that does not start a valid sequence becomes
 * U+FFFD (so the text can go into JSON). 0 or CLM_ENOMEM. */
int clm_strbuf_add_utf8_lossy(struct clm_strbuf *sb, const void *data, size_t len);

/* Append a C string; 0 or CLM_ENOMEM. */
int clm_strbuf_addstr(struct clm_strbuf *sb, const char *s);

/* Append one byte; 0 or CLM_ENOMEM. */
int clm_strbuf_addch(struct clm_strbuf *sb, char c);

/* Append printf-formatted text; 0 or CLM_ENOMEM. */
int clm_strbuf_addf(struct clm_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Cut to `len` bytes (len <= sb->len). */
void clm_strbuf_setlen(struct clm_strbuf *sb, size_t len);

/* Empty the buffer, keeping its memory. */
void clm_strbuf_reset(struct clm_strbuf *sb);

/* Remove trailing whitespace. */
void clm_strbuf_rtrim(struct clm_strbuf *sb);

/* Take ownership of the bytes (caller frees; never NULL unless out of memory) and reset sb. */
char *clm_strbuf_detach(struct clm_strbuf *sb, size_t *len);

/* A new string formatted like printf (git's xstrfmt; caller frees); NULL with a message when out
 * of memory. Use it instead of asprintf or a buffer sized by hand. */
char *clm_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
