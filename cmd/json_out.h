/* Printing --json results for the store commands. */
#ifndef CLM_CMD_JSON_OUT_H
#define CLM_CMD_JSON_OUT_H

#include <jansson.h>
#include "store/store.h"

/* Print `value` indented with sorted keys and a newline on stdout, then json_decref it. */
void clm_print_json(json_t *value);

/* A version's summary fields as a JSON object (scores null when absent). */
json_t *clm_version_info_json(const struct clm_version_info *v);

#endif
