/* Line lists: prediction and reference files hold one sample per line. */
#ifndef CLM_EVAL_LINES_H
#define CLM_EVAL_LINES_H

#include <stddef.h>

struct clm_lines {
	char *buf;          /* the text with each line end replaced by NUL; owned */
	const char **line;  /* n pointers into buf, each a NUL-terminated line; owned array */
	size_t n;
};

#define CLM_LINES_INIT { NULL, NULL, 0 }

/* Split `len` bytes into lines the way Python's readlines() does in text mode: "\n", "\r\n"
 * and a lone "\r" end a line; a final line without an end still counts; "" has no lines.
 * Replaces *out's contents; 0 or CLM_ENOMEM. */
int clm_lines_split(const char *text, size_t len, struct clm_lines *out);

/* Read `path` (at most 1 GiB) and split it into lines; 0 or a CLM_E* code naming the path. */
int clm_lines_read(const char *path, struct clm_lines *out);

/* Free the lines; *l is empty afterwards. */
void clm_lines_release(struct clm_lines *l);

#endif
