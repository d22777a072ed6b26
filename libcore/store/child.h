/* Running the git command itself for what libgit2 does poorly here (transport, appending config
 * values): output is captured, never printed, and quoted in the error message on failure. */
#ifndef CLM_STORE_CHILD_H
#define CLM_STORE_CHILD_H

#include "store/store.h"

/* Run `git --git-dir=<this repository> <args...>` (`args` NULL-terminated);
 * 0 when it exits 0, else CLM_EGENERIC with git's output in the message. */
int clm_store_run_git(struct clm_store *s, const char *const *args);

#endif
