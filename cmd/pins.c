/* git clmodel pins: list pinned versions. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/pins.h"
#include "store/store.h"
#include "util/error.h"

#include <stdio.h>

static const char *const pins_usage[] = {
	"git clmodel pins",
	NULL,
};

int cmd_pins(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const struct clm_option opts[] = { { CLM_OPT_END, 0, NULL, NULL, NULL, NULL } };
	struct clm_store s;
	struct clm_pin *pins = NULL;
	size_t npins = 0;
	json_t *arr = json_array();
	int code, n = clm_parse_options(argc, argv, opts, pins_usage, ctx, &code);

	if (n < 0) {
		json_decref(arr);
		return code;
	}
	if (n > 0) {
		json_decref(arr);
		return clm_usage_error(pins_usage, opts, "unexpected argument '%s'", argv[0]);
	}
	if (clm_store_open(&s, NULL) < 0 || clm_pins_list(&s, &pins, &npins) < 0) {
		json_decref(arr);
		clm_store_close(&s);
		return clm_die_error();
	}
	for (size_t i = 0; i < npins; i++) {
		struct clm_version_info info;
		git_oid id;
		git_oid_fromstr(&id, pins[i].version);
		if (clm_store_describe(&s, &id, &info) < 0)
			clm_error_clear();
		if (ctx->json)
			json_array_append_new(arr, json_pack("{ss ss ss}", "tag", pins[i].tag, "version", pins[i].version,
							     "summary", info.summary ? info.summary : ""));
		else
			printf("%-20s %.12s %s\n", pins[i].tag, pins[i].version, info.summary ? info.summary : "(missing)");
		clm_version_info_release(&info);
	}
	clm_store_close(&s);
	clm_pins_free(pins, npins);
	if (ctx->json)
		clm_print_json(arr);
	else
		json_decref(arr);
	return CLM_EXIT_OK;
}
