/* git clmodel gc: list (or prune) attic versions that no head or pin needs. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/admin.h"
#include "util/error.h"

#include <stdio.h>

static const char *const gc_usage[] = {
	"git clmodel gc [--prune]",
	NULL,
};

static void print_items(const struct clm_gc_item *items, size_t n, int pruned)
{
	if (!n)
		printf("Nothing to prune: every version is reachable from a model head or pin.\n");
	for (size_t i = 0; i < n; i++) {
		printf("%s %s", pruned ? "pruned" : "can prune", items[i].ref);
		if (items[i].nversions)
			printf(" (%zu version%s only it keeps)\n", items[i].nversions, items[i].nversions == 1 ? "" : "s");
		else
			printf(" (redundant: its versions are kept by a head or pin)\n");
		for (size_t j = 0; j < items[i].nversions; j++)
			printf("    %.12s\n", items[i].versions[j]);
	}
	if (n && !pruned)
		printf("Run 'git clmodel gc --prune' to drop these references, then 'git gc' to reclaim the space.\n");
}

int cmd_gc(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	int prune = 0;
	const struct clm_option opts[] = {
		{ CLM_OPT_FLAG, 0, "prune", &prune, NULL, "delete the listed attic references" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_store s;
	struct clm_gc_item *items = NULL;
	size_t nitems = 0;
	int code, rc, n = clm_parse_options(argc, argv, opts, gc_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n > 0)
		return clm_usage_error(gc_usage, opts, "unexpected argument '%s'", argv[0]);
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_store_gc_list(&s, &items, &nitems);
	if (rc == 0 && prune)
		rc = clm_store_gc_prune(&s, items, nitems);
	clm_store_close(&s);
	if (rc < 0) {
		clm_gc_items_free(items, nitems);
		return clm_die_error();
	}
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < nitems; i++) {
			json_t *v = json_array();
			for (size_t j = 0; j < items[i].nversions; j++)
				json_array_append_new(v, json_string(items[i].versions[j]));
			json_array_append_new(arr, json_pack("{ss so sb}", "ref", items[i].ref, "versions", v, "pruned", prune));
		}
		clm_print_json(arr);
	} else {
		print_items(items, nitems, prune);
	}
	clm_gc_items_free(items, nitems);
	return CLM_EXIT_OK;
}
