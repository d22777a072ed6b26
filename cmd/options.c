#include "cmd/options.h"
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct clm_option common_opts[] = {
	{ CLM_OPT_FLAG, 'q', "quiet", NULL, NULL, "no progress output" },
	{ CLM_OPT_FLAG, 0, "json", NULL, NULL, "machine-readable output" },
	{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
};

static void print_table(FILE *fp, const struct clm_option *opts)
{
	for (; opts && opts->type != CLM_OPT_END; opts++) {
		char left[128];
		int n;

		if (opts->short_name && opts->long_name)
			n = snprintf(left, sizeof(left), "    -%c, --%s", opts->short_name, opts->long_name);
		else if (opts->short_name)
			n = snprintf(left, sizeof(left), "    -%c", opts->short_name);
		else
			n = snprintf(left, sizeof(left), "    --%s", opts->long_name);
		if (opts->arg_help && n > 0 && (size_t)n < sizeof(left))
			n += snprintf(left + n, sizeof(left) - (size_t)n, " %s", opts->arg_help);
		if (n >= 30)
			fprintf(fp, "%s\n%30s%s\n", left, "", opts->help);
		else
			fprintf(fp, "%-30s%s\n", left, opts->help);
	}
}

void clm_print_usage(void *out, const char *const *usage, const struct clm_option *opts)
{
	FILE *fp = out;
	for (int i = 0; usage && usage[i]; i++)
		fprintf(fp, "%s%s\n", i ? "   or: " : "usage: ", usage[i]);
	fputc('\n', fp);
	print_table(fp, opts);
	print_table(fp, common_opts);
	fputs("    -h, --help                show this help\n", fp);
}

int clm_usage_error(const char *const *usage, const struct clm_option *opts, const char *fmt, ...)
{
	va_list ap;
	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	clm_print_usage(stderr, usage, opts);
	return CLM_EXIT_USAGE;
}

int clm_die_error(void)
{
	const char *msg = clm_error();
	fprintf(stderr, "git-clmodel: %s\n", msg[0] ? msg : "unknown error");
	return CLM_EXIT_FAIL;
}

static const struct clm_option *find_long(const struct clm_option *opts, const char *name, size_t len)
{
	for (; opts && opts->type != CLM_OPT_END; opts++)
		if (opts->long_name && strlen(opts->long_name) == len && !strncmp(opts->long_name, name, len))
			return opts;
	return NULL;
}

static const struct clm_option *find_short(const struct clm_option *opts, char c)
{
	for (; opts && opts->type != CLM_OPT_END; opts++)
		if (opts->short_name == c)
			return opts;
	return NULL;
}

/* Store `arg` into the option's value; 0 or a usage error message in `err`. */
static int store_value(const struct clm_option *o, const char *arg, char *err, size_t errlen)
{
	char *end;

	switch (o->type) {
	case CLM_OPT_STRING:
		*(const char **)o->value = arg;
		return 0;
	case CLM_OPT_INT: {
		long v;
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end) {
			snprintf(err, errlen, "option '%s' expects an integer, not '%s'",
				 o->long_name ? o->long_name : "?", arg);
			return -1;
		}
		*(long *)o->value = v;
		return 0;
	}
	case CLM_OPT_DOUBLE: {
		double v;
		errno = 0;
		v = strtod(arg, &end);
		if (errno || end == arg || *end) {
			snprintf(err, errlen, "option '%s' expects a number, not '%s'",
				 o->long_name ? o->long_name : "?", arg);
			return -1;
		}
		*(double *)o->value = v;
		return 0;
	}
	default:
		return 0;
	}
}

int clm_parse_options(int argc, const char **argv, const struct clm_option *opts,
		      const char *const *usage, struct clm_cmd_ctx *ctx, int *exit_code)
{
	int npos = 0, i;
	char err[256];

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct clm_option *o;

		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				argv[npos++] = argv[i];
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			clm_print_usage(stdout, usage, opts);
			*exit_code = CLM_EXIT_OK;
			return -1;
		}
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			ctx->quiet = 1;
			continue;
		}
		if (!strcmp(a, "--json")) {
			ctx->json = 1;
			continue;
		}
		if (a[0] == '-' && a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			int negate = 0;

			o = find_long(opts, name, len);
			if (!o && len > 3 && !strncmp(name, "no-", 3)) {
				o = find_long(opts, name + 3, len - 3);
				negate = 1;
				if (o && o->type != CLM_OPT_FLAG)
					o = NULL;
			}
			if (!o) {
				*exit_code = clm_usage_error(usage, opts, "unknown option '%.*s'", (int)len, name);
				return -1;
			}
			if (o->type == CLM_OPT_FLAG) {
				if (eq) {
					*exit_code = clm_usage_error(usage, opts, "option '%s' takes no value",
								     o->long_name);
					return -1;
				}
				*(int *)o->value = !negate;
				continue;
			}
			if (!eq && i + 1 >= argc) {
				*exit_code = clm_usage_error(usage, opts, "option '%s' requires a value", o->long_name);
				return -1;
			}
			if (store_value(o, eq ? eq + 1 : argv[++i], err, sizeof(err)) < 0) {
				*exit_code = clm_usage_error(usage, opts, "%s", err);
				return -1;
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			o = find_short(opts, a[1]);
			if (!o) {
				*exit_code = clm_usage_error(usage, opts, "unknown switch '%c'", a[1]);
				return -1;
			}
			if (o->type == CLM_OPT_FLAG) {
				if (a[2]) {
					*exit_code = clm_usage_error(usage, opts, "switch '%c' takes no value", a[1]);
					return -1;
				}
				*(int *)o->value = 1;
				continue;
			}
			if (!a[2] && i + 1 >= argc) {
				*exit_code = clm_usage_error(usage, opts, "switch '%c' requires a value", a[1]);
				return -1;
			}
			if (store_value(o, a[2] ? a + 2 : argv[++i], err, sizeof(err)) < 0) {
				*exit_code = clm_usage_error(usage, opts, "%s", err);
				return -1;
			}
			continue;
		}
		argv[npos++] = a;
	}
	return npos;
}
