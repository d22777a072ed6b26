#include "cmd/json_out.h"

#include <math.h>
#include <stdio.h>

void clm_print_json(json_t *value)
{
	json_dumpf(value, stdout, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	putchar('\n');
	json_decref(value);
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *number_or_null(int present, double v)
{
	return present && !isnan(v) ? json_real(v) : json_null();
}

json_t *clm_version_info_json(const struct clm_version_info *v)
{
	return json_pack("{ss sI ss so so so so so}", "version", v->oid, "time", (json_int_t)v->time, "summary",
			 v->summary ? v->summary : "", "strategy", string_or_null(v->strategy), "task",
			 string_or_null(v->task), "source", string_or_null(v->source), "average",
			 number_or_null(v->has_scores, v->average), "forgetting",
			 number_or_null(v->has_scores, v->forgetting));
}
