/* Output of the binary: control characters from repositories and servers never reach a terminal. */
#ifndef CLM_CMD_TERM_OUT_H
#define CLM_CMD_TERM_OUT_H

#include <stddef.h>

/* From now on, escape control characters (util/escape.h) in everything written to stdout. */
void clm_term_out_escape(void);

/* Offset of the first control character in `s` (`len` bytes), `len` when there is none. */
size_t clm_term_find_control(const char *s, size_t len);

#endif
