/* git clmodel suggest: rewrite a function for the current dependencies, complete code, or answer
 * a snippet, with the model version that serves HEAD. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "cmd/term_out.h"
#include "suggest/check.h"
#include "suggest/suggest.h"
#include "git/repo.h"
#include "rollout/monitor.h"
#include "parsers/functions.h"
#include "parsers/languages.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/udiff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const suggest_usage[] = {
	"git clmodel suggest --file <path> --line <n> [--task refine|generate] [-n <count>]",
	"git clmodel suggest --file <path> --complete [--line <n>]",
	"git clmodel suggest [--task refine|complete|generate] [--lang <language>] < snippet",
	NULL,
};

/* What to ask the model and how to show the answer. */
struct request {
	enum clm_task_kind kind;
	const char *lang;
	struct clm_strbuf source;
	const char *path;                /* --file with --line: a diff of this file */
	struct clm_strbuf file;          /* its contents */
	unsigned first_line, last_line;  /* the function's lines */
	size_t focus;                    /* byte of the source at --line (CLM_BUDGET_NO_FOCUS) */
	const char *function;            /* its name, borrowed from `functions` */
	struct clm_function_list functions;
};

/* The function around `line` of the file, as the source to rewrite (or, for generate, its
 * signature and docstring). */
static int request_from_function(struct request *rq, long line)
{
	const struct clm_language *lang = clm_language_for_path(rq->path);
	const struct clm_function *f;
	TSParser *parser = NULL;
	TSTree *tree = NULL;
	int rc;

	if (!lang || !clm_functions_supported(lang))
		return clm_error_set(CLM_EINVALID, "%s: no function support for this file type", rq->path);
	rq->lang = lang->name;
	rc = clm_language_parser(lang, &parser);
	if (rc == 0 && !(tree = ts_parser_parse_string(parser, NULL, rq->file.buf, (uint32_t)rq->file.len)))
		rc = clm_error_set(CLM_EINVALID, "%s: cannot parse", rq->path);
	if (rc == 0)
		rc = clm_functions_extract(lang, tree, rq->file.buf, rq->file.len, &rq->functions);
	if (rc == 0 && !(f = clm_function_enclosing(&rq->functions, (uint32_t)line, (uint32_t)line)))
		rc = clm_error_set(CLM_ENOTFOUND, "%s:%ld is not inside a function", rq->path, line);
	if (rc == 0) {
		uint32_t end = rq->kind == CLM_KIND_GENERATE ? (f->doc_end > f->body_start ? f->doc_end : f->body_start)
							     : f->end_byte;
		rq->first_line = f->start_line;
		rq->last_line = f->end_line;
		rq->function = f->name;
		for (long seen = 1, b = 0; b < (long)end; b++) {
			if (seen == line && b >= (long)f->start_byte) {
				rq->focus = (size_t)b - f->start_byte;
				break;
			}
			seen += rq->file.buf[b] == '\n';
		}
		rc = clm_strbuf_add(&rq->source, rq->file.buf + f->start_byte, end - f->start_byte);
	}
	ts_tree_delete(tree);
	ts_parser_delete(parser);
	return rc;
}

/* The file up to the end of `line` (0: the whole file), to continue from there. */
static int request_completion(struct request *rq, long line)
{
	size_t end = rq->file.len;

	if (line > 0) {
		long seen = 0;
		for (end = 0; end < rq->file.len && seen < line; end++)
			seen += rq->file.buf[end] == '\n';
		if (seen < line && end == rq->file.len && line > seen + 1)
			return clm_error_set(CLM_EINVALID, "%s has fewer than %ld lines", rq->path, line);
	}
	if (!rq->lang) {
		const struct clm_language *lang = clm_language_for_path(rq->path);
		rq->lang = lang ? lang->name : "";
	}
	return clm_strbuf_add(&rq->source, rq->file.buf, end);
}

/* Each printed diff goes into the suggestion log, so `git clmodel monitor` can later tell whether
 * it was kept. A suggestion that cannot be recorded is still printed: the log is best effort. */
static void record_suggestions(const struct clm_suggester *sg, const char *model, const struct request *rq,
			       char **outs, const struct clm_strbuf *diffs, long count)
{
	git_repository *repo = NULL;
	char *abs = realpath(rq->path, NULL), *workdir = NULL;
	const char *rel;
	size_t wlen = 0;

	if (abs && clm_repo_open(&repo) == 0 && git_repository_workdir(repo))
		workdir = realpath(git_repository_workdir(repo), NULL);
	if (workdir)
		wlen = strlen(workdir);
	if (!workdir || strncmp(abs, workdir, wlen) || abs[wlen] != '/') {
		clm_error_clear();
		clm_repo_close(repo);
		free(workdir);
		free(abs);
		return; /* a file outside the work tree can never land in a commit */
	}
	rel = abs + wlen + 1;
	for (long i = 0; i < count; i++) {
		struct clm_suggestion rec = { model, &sg->which.version, clm_task_kind_name(rq->kind), rel, rq->function,
					      diffs[i].buf, rq->file.buf, outs[i] };
		if (diffs[i].len && clm_suggestion_record(repo, &rec) < 0) {
			fprintf(stderr, "warning: suggestion not recorded for monitoring: %s\n", clm_error());
			clm_error_clear();
		}
	}
	clm_repo_close(repo);
	free(workdir);
	free(abs);
}

/* A suggestion is code: on a terminal the escaping stdout shows its control characters (cmd/main),
 * on a pipe any other than tab and newline is refused, so nothing downstream receives them. */
static int check_code(const char *text, size_t len)
{
	size_t at = clm_term_find_control(text, len);

	if (at == len || isatty(STDOUT_FILENO))
		return 0;
	return clm_error_set(CLM_EINVALID, "the suggestion holds a control character (byte 0x%02x at offset %zu); "
			     "refusing to write it to a pipe", (unsigned char)text[at], at);
}

/* Streams a remote server's text to standard output as it arrives. */
static int print_text(const char *text, size_t len, void *arg)
{
	int rc = check_code(text, len);

	(void)arg;
	if (rc < 0)
		return rc;
	fwrite(text, 1, len, stdout);
	fflush(stdout);
	return 0;
}

/* What the checks of suggest/check.h found for each alternative. */
struct verdicts {
	int *ok;
	struct clm_strbuf *why;
	double *logprob; /* NAN from a server */
	int shown;       /* alternatives that pass or are forced */
};

static int judge(const struct request *rq, char **outs, long count, int force, struct verdicts *v)
{
	struct clm_suggest_input in = { rq->kind, rq->lang, rq->source.buf, rq->last_line ? rq->file.buf : NULL,
					rq->file.len, rq->first_line, rq->last_line };
	int rc = 0;

	for (long i = 0; rc >= 0 && i < count; i++) {
		rc = clm_suggest_check(&in, outs[i], &v->why[i]);
		v->ok[i] = rc == 1;
		v->shown += v->ok[i] || force;
	}
	return rc < 0 ? rc : 0;
}

static void print_json(const struct clm_suggester *sg, const struct request *rq, char **outs, int n,
		       struct clm_strbuf *diffs, const struct verdicts *v)
{
	char hex[GIT_OID_HEXSZ + 1]; /* not git_oid_tostr_s: its buffer outlives libgit2's shutdown */
	json_t *alts = json_array();

	for (int i = 0; i < n; i++) {
		json_t *a = json_pack("{s:o,s:b}", "text", clm_json_string_lossy(outs[i]), "ok", v->ok[i]);
		if (rq->path && rq->last_line)
			json_object_set_new(a, "diff", clm_json_string_lossy(diffs[i].len ? diffs[i].buf : ""));
		if (!v->ok[i])
			json_object_set_new(a, "reason", json_string(v->why[i].buf));
		if (!isnan(v->logprob[i]))
			json_object_set_new(a, "logprob", json_real(v->logprob[i]));
		json_array_append_new(alts, a);
	}
	clm_print_json(json_pack("{s:s?,s:s?,s:s?,s:s,s:s?,s:o}", "version",
				 sg ? git_oid_tostr(hex, sizeof(hex), &sg->which.version) : NULL, "reason",
				 sg ? clm_which_reason_name(sg->which.reason) : "remote", "why", sg ? sg->which.detail : NULL,
				 "task", clm_task_kind_name(rq->kind), "function", rq->function, "alternatives", alts));
}

static int verdicts_init(struct verdicts *v, long count)
{
	v->ok = calloc((size_t)count, sizeof(*v->ok));
	v->why = calloc((size_t)count, sizeof(*v->why));
	v->logprob = malloc((size_t)count * sizeof(*v->logprob));
	if (!v->ok || !v->why || !v->logprob)
		return clm_error_oom();
	for (long i = 0; i < count; i++)
		v->logprob[i] = NAN;
	return 0;
}

static void verdicts_release(struct verdicts *v, long count)
{
	for (long i = 0; v->why && i < count; i++)
		clm_strbuf_release(&v->why[i]);
	free(v->ok);
	free(v->why);
	free(v->logprob);
}

/* Where the answers come from and how many. */
struct asking {
	const char *model, *version, *remote;
	int insecure, json;
	long count, max_new;
};

/* The answers to `rq`: from a remote server when one is set (streamed to stdout when the answer
 * is plain text; *streamed says so), else from the model version that serves HEAD. */
static int ask(const struct asking *a, const struct request *rq, struct clm_suggester *sg,
	       struct clm_remote_settings *rs, struct verdicts *v, char ***outs, int *streamed)
{
	struct clm_store s;
	int rc = clm_store_open(&s, NULL);

	if (rc < 0)
		return rc;
	rc = clm_remote_settings_read(s.repo, a->remote, a->insecure, rs);
	if (rc == 0 && rs->url) {
		/* Text answers stream as they arrive; a diff needs the whole answer first. */
		*streamed = !(rq->path && rq->last_line) && !a->json;
		rc = clm_suggest_remote(rs, rq->source.buf, (int)a->count, (int)a->max_new,
					*streamed ? print_text : NULL, NULL, outs);
		if (rc == 0 && *streamed)
			putchar('\n');
	} else if (rc == 0) {
		rc = clm_suggester_open(sg, &s, a->model, a->version, NULL);
		if (sg->which.warning[0])
			fprintf(stderr, "warning: %s\n", sg->which.warning);
		sg->max_new_tokens = (int)a->max_new;
		sg->focus = rq->focus;
		if (rc == 0)
			rc = clm_suggest(sg, rq->kind, rq->lang ? rq->lang : "", rq->source.buf, (int)a->count, outs,
					 v->logprob);
	}
	clm_store_close(&s);
	return rc;
}

/* The alternatives that pass (or are forced) on stdout, as diffs of the file or as text; why the
 * others were left out, and each one's mean log-probability, on stderr. */
static void print_alternatives(const struct request *rq, char **outs, const struct clm_strbuf *diffs,
			       const struct verdicts *v, long count, int first, int force, int quiet)
{
	int as_diff = rq->path && rq->last_line;

	for (long i = first; i < count; i++) {
		if (!v->ok[i] && !force) {
			if (!quiet)
				fprintf(stderr, "alternative %ld left out: %s\n", i + 1, v->why[i].buf);
			continue;
		}
		if (!quiet && !isnan(v->logprob[i]))
			fprintf(stderr, "alternative %ld: mean token log-probability %.3f%s%s\n", i + 1, v->logprob[i],
				v->ok[i] ? "" : "; forced: ", v->ok[i] ? "" : v->why[i].buf);
		if (count > 1)
			printf("%s# alternative %ld\n", i ? "\n" : "", i + 1);
		if (as_diff)
			fputs(diffs[i].len ? diffs[i].buf : "", stdout);
		else
			printf("%s\n", outs[i]);
		if (as_diff && !diffs[i].len && !quiet)
			fprintf(stderr, "no change suggested\n");
	}
}

int cmd_suggest(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	char hex[GIT_OID_HEXSZ + 1]; /* not git_oid_tostr_s: its buffer outlives libgit2's shutdown */
	const char *path = NULL, *task = NULL, *lang = NULL;
	struct asking q = { .count = 1, .max_new = 256, .json = ctx->json };
	long line = 0;
	int complete = 0, force = 0, code = CLM_EXIT_OK, n, rc, streamed = 0;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "file", &path, "<path>", "the file to work on" },
		{ CLM_OPT_INT, 0, "line", &line, "<n>", "a line inside the function to rewrite (or where to complete)" },
		{ CLM_OPT_FLAG, 0, "complete", &complete, NULL, "continue the file at its end or after --line" },
		{ CLM_OPT_STRING, 0, "task", &task, "<kind>", "refine (default), complete or generate" },
		{ CLM_OPT_STRING, 0, "lang", &lang, "<language>", "language of a snippet on standard input" },
		{ CLM_OPT_INT, 'n', NULL, &q.count, "<count>", "number of alternatives (default 1)" },
		{ CLM_OPT_INT, 0, "max-tokens", &q.max_new, "<n>", "length cap of a suggestion (default 256)" },
		{ CLM_OPT_STRING, 0, "model", &q.version, "<version>", "use this version instead of the one serving HEAD" },
		CLM_OPT_MODEL_NAME(q.model),
		{ CLM_OPT_STRING, 0, "remote", &q.remote, "<url>",
		  "ask an OpenAI-compatible server instead (default: clmodel.remote.url when set)" },
		{ CLM_OPT_FLAG, 0, "insecure", &q.insecure, NULL, "with a remote server: do not verify TLS certificates" },
		{ CLM_OPT_FLAG, 0, "force", &force, NULL, "print suggestions that fail the checks (parse, repetition, change)" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct request rq = { .source = CLM_STRBUF_INIT, .file = CLM_STRBUF_INIT, .focus = CLM_BUDGET_NO_FOCUS };
	struct clm_strbuf *diffs = NULL;
	struct verdicts v = { 0 };
	struct clm_suggester sg = { 0 };
	struct clm_remote_settings rs = { 0 };
	char **outs = NULL;

	n = clm_parse_options(argc, argv, opts, suggest_usage, ctx, &code);
	if (n < 0)
		return code;
	if (n > 0)
		return clm_usage_error(suggest_usage, opts, "unexpected argument '%s'", argv[0]);
	if (q.count < 1 || q.count > 16 || q.max_new < 1 || line < 0)
		return clm_usage_error(suggest_usage, opts, "-n must be 1-16, --max-tokens and --line positive");
	rq.kind = complete ? CLM_KIND_COMPLETE : CLM_KIND_REFINE;
	if (task && clm_task_kind_parse(task, &rq.kind) < 0)
		return clm_usage_error(suggest_usage, opts, "unknown task '%s'", task);
	if ((complete || line) && !path)
		return clm_usage_error(suggest_usage, opts, "--line and --complete need --file");
	if (path && !line && !complete)
		return clm_usage_error(suggest_usage, opts, "--file needs --line or --complete");
	rq.path = path;
	rq.lang = lang;
	rc = verdicts_init(&v, q.count);
	if (rc == 0 && path)
		rc = clm_read_file(path, 1 << 20, &rq.file);
	if (rc == 0 && path && !complete && rq.kind != CLM_KIND_COMPLETE)
		rc = request_from_function(&rq, line);
	else if (rc == 0 && path)
		rc = request_completion(&rq, line);
	else if (rc == 0)
		rc = clm_read_stdin(&rq.source);
	if (rc == 0)
		rc = ask(&q, &rq, &sg, &rs, &v, &outs, &streamed);
	if (rc == 0 && !(diffs = calloc((size_t)q.count, sizeof(*diffs))))
		rc = clm_error_oom();
	if (rc == 0)
		rc = judge(&rq, outs, q.count, force || streamed, &v);
	for (long i = 0; rc == 0 && rq.path && rq.last_line && i < q.count; i++)
		rc = clm_udiff_replace_lines(rq.path, rq.file.buf, rq.file.len, rq.first_line, rq.last_line, outs[i],
					     &diffs[i]);
	/* Which model answered, also when its answer is refused. */
	if (rc == 0 && !ctx->quiet && !ctx->json && !rs.url)
		fprintf(stderr, "model %.12s (%s)%s%s\n", git_oid_tostr(hex, sizeof(hex), &sg.which.version),
			sg.which.detail, rq.function ? "; rewriting " : "", rq.function ? rq.function : "");
	if (rc == 0 && !v.shown)
		rc = clm_error_set(CLM_EGENERIC, "%s; --force prints it anyway", v.why[0].buf);
	for (long i = streamed ? 1 : 0; rc == 0 && !ctx->json && i < q.count; i++)
		rc = check_code(outs[i], strlen(outs[i]));
	/* a remote server's version is not ours to name: only local suggestions are monitored */
	if (rc == 0 && rq.path && rq.last_line && !rs.url)
		record_suggestions(&sg, q.model, &rq, outs, diffs, q.count);
	if (rc == 0 && ctx->json)
		print_json(rs.url ? NULL : &sg, &rq, outs, (int)q.count, diffs, &v);
	else if (rc == 0)
		print_alternatives(&rq, outs, diffs, &v, q.count, streamed ? 1 : 0, force, ctx->quiet);
	for (long i = 0; diffs && i < q.count; i++)
		clm_strbuf_release(&diffs[i]);
	free(diffs);
	verdicts_release(&v, q.count);
	clm_cl_free_preds(outs, outs ? (size_t)q.count : 0);
	clm_suggester_release(&sg);
	clm_remote_settings_release(&rs);
	clm_function_list_release(&rq.functions);
	clm_strbuf_release(&rq.source);
	clm_strbuf_release(&rq.file);
	return rc < 0 ? clm_die_error() : CLM_EXIT_OK;
}
