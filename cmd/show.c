/* git clmodel show: one version's metadata, config, weights sizes, tasks and accuracy matrix. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/show.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const show_usage[] = {
	"git clmodel show [--name <model>] [--tensors] [<version>]",
	NULL,
};

static void print_field(const char *label, const json_t *v)
{
	if (json_is_string(v))
		printf("%-9s%s\n", label, json_string_value(v));
}

static void print_scalars(const json_t *obj)
{
	const char *key;
	json_t *v;
	int col = 0;

	json_object_foreach((json_t *)obj, key, v) {
		char *s;
		if (json_is_object(v) || json_is_array(v))
			continue;
		s = json_dumps(v, JSON_ENCODE_ANY);
		col += printf("%s%s=%s", col ? "  " : "  ", key, s ? s : "?");
		free(s);
		if (col > 80) {
			putchar('\n');
			col = 0;
		}
	}
	if (col)
		putchar('\n');
}

static void print_matrix(const json_t *m)
{
	const json_t *tasks = json_object_get(m, "tasks"), *rows = json_object_get(m, "R"), *row, *cell;
	const char *metric = json_string_value(json_object_get(m, "metric"));
	size_t i, j;

	printf("\naccuracy matrix R[i][j] = %s on task j after learning task i\n", metric ? metric : "score");
	json_array_foreach(rows, i, row) {
		const char *name = json_string_value(json_array_get(tasks, i));
		printf("  %-32.32s", name ? name : "?");
		json_array_foreach(row, j, cell) {
			if (json_is_number(cell))
				printf(" %7.4f", json_number_value(cell));
			else
				printf(" %7s", "-");
		}
		putchar('\n');
	}
	if (json_is_object(json_object_get(m, "summary"))) {
		printf("  summary:");
		print_scalars(json_object_get(m, "summary"));
	}
}

static void print_text(const json_t *d, int with_tensors)
{
	const json_t *w = json_object_get(d, "weights"), *tasks = json_object_get(d, "tasks"), *v;
	time_t t = (time_t)json_integer_value(json_object_get(d, "time"));
	char date[64];
	size_t i;

	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	print_field("version", json_object_get(d, "version"));
	print_field("parent", json_object_get(d, "parent"));
	printf("%-9s%s\n", "date", date);
	print_field("summary", json_object_get(d, "summary"));
	print_field("strategy", json_object_get(d, "strategy"));
	print_field("task", json_object_get(d, "task"));
	print_field("source", json_object_get(d, "source"));
	printf("\nconfig\n");
	print_scalars(json_object_get(d, "config"));
	printf("\nweights: %lld tensors, %lld parameters, %lld bytes; new in this version: %lld bytes in %lld tensors\n",
	       json_integer_value(json_object_get(w, "tensors")), json_integer_value(json_object_get(w, "parameters")),
	       json_integer_value(json_object_get(w, "bytes")), json_integer_value(json_object_get(w, "new_bytes")),
	       json_integer_value(json_object_get(w, "new_tensors")));
	json_array_foreach(with_tensors ? json_object_get(d, "tensors") : NULL, i, v) {
		char *shape = json_dumps(json_object_get(v, "shape"), JSON_COMPACT);
		printf("  %-40s %-5s %-16s %10lld%s\n", json_string_value(json_object_get(v, "name")),
		       json_string_value(json_object_get(v, "dtype")), shape ? shape : "?",
		       json_integer_value(json_object_get(v, "bytes")),
		       json_is_true(json_object_get(v, "new")) ? "  new" : "");
		free(shape);
	}
	printf("tokenizer: %lld bytes\n", json_integer_value(json_object_get(d, "tokenizer_bytes")));
	printf("\ntasks: %zu\n", json_array_size(tasks));
	json_array_foreach(tasks, i, v) {
		const char *key;
		json_t *size;
		printf("  %s", json_string_value(json_object_get(v, "id")));
		json_object_foreach(json_object_get(v, "files"), key, size)
			printf("  %s=%lld", key, json_integer_value(size));
		putchar('\n');
	}
	if (json_is_object(json_object_get(d, "matrix")))
		print_matrix(json_object_get(d, "matrix"));
	if (json_array_size(json_object_get(d, "files")))
		printf("\nfiles\n");
	json_array_foreach(json_object_get(d, "files"), i, v)
		printf("  %-40s %10lld bytes\n", json_string_value(json_object_get(v, "path")),
		       json_integer_value(json_object_get(v, "bytes")));
}

int cmd_show(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL;
	int with_tensors = 0;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_FLAG, 0, "tensors", &with_tensors, NULL, "list every tensor" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_store s;
	git_oid id;
	json_t *desc = NULL;
	int code, rc, n = clm_parse_options(argc, argv, opts, show_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n > 1)
		return clm_usage_error(show_usage, opts, "at most one version");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_store_resolve(&s, model, n ? argv[0] : NULL, &id);
	if (rc == 0)
		rc = clm_store_show(&s, &id, &desc);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	if (ctx->json) {
		clm_print_json(desc);
		return CLM_EXIT_OK;
	}
	print_text(desc, with_tensors);
	json_decref(desc);
	return CLM_EXIT_OK;
}
