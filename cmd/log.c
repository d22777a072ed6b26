/* git clmodel log: the versions of a model, newest first, like `git log --oneline`. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "rollout/monitor.h"
#include "store/pins.h"
#include "store/store.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const log_usage[] = {
	"git clmodel log [--name <model>] [-n <count>] [<version>]",
	NULL,
};

/* " (head, pin: v1.0)" decorations for a version. */
static void print_decorations(const char *oid, const char *head, const struct clm_pin *pins, size_t npins)
{
	int any = 0;

	if (!strcmp(oid, head)) {
		printf(" (head");
		any = 1;
	}
	for (size_t i = 0; i < npins; i++)
		if (!strcmp(pins[i].version, oid)) {
			printf("%spin: %s", any ? ", " : " (", pins[i].tag);
			any = 1;
		}
	if (any)
		putchar(')');
}

/* What git clmodel monitor last noted on the version: suggestions kept in use. */
static json_t *uptake(struct clm_store *s, const char *model, const char *oid)
{
	git_oid id;

	return git_oid_fromstr(&id, oid) < 0 ? NULL : clm_monitor_last_note(s, model ? model : CLM_STORE_DEFAULT_MODEL, &id);
}

static void print_line(const struct clm_version_info *v, const char *head, const struct clm_pin *pins, size_t npins,
		       const json_t *used)
{
	printf("%.12s", v->oid);
	print_decorations(v->oid, head, pins, npins);
	printf(" %s", v->summary);
	if (v->task)
		printf("  task=%s", v->task);
	if (v->strategy)
		printf("  strategy=%s", v->strategy);
	if (v->has_scores)
		printf("  avg=%.4f", v->average);
	if (v->has_scores && !isnan(v->forgetting))
		printf("  forgetting=%.4f", v->forgetting);
	if (used) {
		json_int_t kept = json_integer_value(json_object_get(used, "kept")) + json_integer_value(json_object_get(used, "partly"));
		json_int_t resolved = kept + json_integer_value(json_object_get(used, "dropped"));
		printf("  kept=%lld/%lld", (long long)kept, (long long)resolved);
	}
	putchar('\n');
}

int cmd_log(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL;
	long max = 0;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_INT, 'n', "max-count", &max, "<count>", "show at most this many versions" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_store s;
	struct clm_version_info *items = NULL;
	struct clm_pin *pins = NULL;
	size_t n_items = 0, npins = 0;
	git_oid from, head;
	int code, rc, n = clm_parse_options(argc, argv, opts, log_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n > 1 || max < 0)
		return clm_usage_error(log_usage, opts, n > 1 ? "at most one version" : "a negative count");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_store_head(&s, model, &head);
	if (rc == 0)
		rc = clm_store_resolve(&s, model, n ? argv[0] : NULL, &from);
	if (rc == 0)
		rc = clm_store_list(&s, &from, (size_t)max, &items, &n_items);
	if (rc == 0)
		rc = clm_pins_list(&s, &pins, &npins);
	if (rc < 0) {
		clm_store_close(&s);
		clm_version_infos_free(items, n_items);
		return clm_die_error();
	}
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n_items; i++) {
			json_t *o = clm_version_info_json(&items[i]), *used = uptake(&s, model, items[i].oid);
			if (o && used)
				json_object_set_new(o, "monitor", used);
			else
				json_decref(used);
			json_array_append_new(arr, o);
		}
		clm_print_json(arr);
	} else {
		char head_hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(head_hex, sizeof(head_hex), &head);
		for (size_t i = 0; i < n_items; i++) {
			json_t *used = uptake(&s, model, items[i].oid);
			print_line(&items[i], head_hex, pins, npins, used);
			json_decref(used);
		}
	}
	clm_store_close(&s);
	clm_pins_free(pins, npins);
	clm_version_infos_free(items, n_items);
	return CLM_EXIT_OK;
}
