/* mine/events against an answer the test knows by construction: a random walk over the
 * dependencies of two manifests (a requirements.txt and a nested package.json, runtime and dev
 * groups) writes one tree per step; the events found from libgit2's diff of consecutive trees
 * must be exactly the additions, removals and bumps the walk made, with their versions, group
 * and manifest, and a change outside the manifests must give no event. */
#include "test_helpers.h"
#include "git/tree.h"
#include "mine/events.h"
#include "util/strbuf.h"

#define STEPS 200
#define NPKG 4

static const char *const pkgs[NPKG] = { "alpha", "beta-lib", "gamma", "delta" };

/* One manifest's state: version minor number per package, 0 when absent; dev flag for npm. */
struct manifest_state {
	int minor[NPKG];
	int dev[NPKG];
};

static git_repository *repo;

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int setup(void **state)
{
	char *dir = clm_test_tmpdir();
	(void)state;
	git_libgit2_init();
	assert_non_null(dir);
	assert_int_equal(git_repository_init(&repo, dir, 1), 0);
	free(dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	git_repository_free(repo);
	git_libgit2_shutdown();
	return 0;
}

static void requirements_text(const struct manifest_state *m, struct clm_strbuf *out)
{
	clm_strbuf_addstr(out, "# pinned\n");
	for (int i = 0; i < NPKG; i++)
		if (m->minor[i])
			clm_strbuf_addf(out, "%s==1.%d.0\n", pkgs[i], m->minor[i]);
}

static void package_json_section(const struct manifest_state *m, int dev, struct clm_strbuf *out)
{
	const char *sep = "";

	clm_strbuf_addf(out, "  \"%s\": {", dev ? "devDependencies" : "dependencies");
	for (int i = 0; i < NPKG; i++)
		if (m->minor[i] && m->dev[i] == dev) {
			clm_strbuf_addf(out, "%s\"%s\": \"^2.%d.0\"", sep, pkgs[i], m->minor[i]);
			sep = ", ";
		}
	clm_strbuf_addstr(out, "}");
}

static void package_json_text(const struct manifest_state *m, struct clm_strbuf *out)
{
	clm_strbuf_addstr(out, "{\n  \"name\": \"web\",\n");
	package_json_section(m, 0, out);
	clm_strbuf_addstr(out, ",\n");
	package_json_section(m, 1, out);
	clm_strbuf_addstr(out, "\n}\n");
}

static void add_text(struct clm_tree_plan *plan, const char *path, const struct clm_strbuf *text)
{
	assert_int_equal(clm_tree_plan_add_bytes(plan, repo, path, text->buf, text->len), 0);
}

static git_tree *write_tree(const struct manifest_state *py, const struct manifest_state *npm, int readme)
{
	struct clm_strbuf text = CLM_STRBUF_INIT;
	struct clm_tree_plan plan = { 0 };
	git_tree *tree;
	git_oid id;

	requirements_text(py, &text);
	add_text(&plan, "requirements.txt", &text);
	clm_strbuf_reset(&text);
	package_json_text(npm, &text);
	add_text(&plan, "web/package.json", &text);
	clm_strbuf_reset(&text);
	clm_strbuf_addf(&text, "readme %d\n", readme);
	add_text(&plan, "README.md", &text);
	assert_int_equal(clm_tree_plan_write(&plan, repo, &id), 0);
	clm_tree_plan_release(&plan);
	clm_strbuf_release(&text);
	assert_int_equal(git_tree_lookup(&tree, repo, &id), 0);
	return tree;
}

/* The events one manifest's change must give, one line each, in package order. */
static void expected_lines(const char *eco, const char *manifest, int major, const struct manifest_state *a,
			   const struct manifest_state *b, struct clm_strbuf *out)
{
	for (int i = 0; i < NPKG; i++) {
		int dev = !strcmp(eco, "npm") && (b->minor[i] ? b->dev[i] : a->dev[i]);
		const char *group = dev ? "dev" : "runtime";
		char from[16] = "", to[16] = "";
		const char *kind;

		if (a->minor[i] == b->minor[i] && (!a->minor[i] || a->dev[i] == b->dev[i]))
			continue;
		if (a->minor[i])
			snprintf(from, sizeof(from), "%d.%d.0", major, a->minor[i]);
		if (b->minor[i])
			snprintf(to, sizeof(to), "%d.%d.0", major, b->minor[i]);
		kind = !a->minor[i] ? "added" : !b->minor[i] ? "removed" : "bumped";
		if (!strcmp(kind, "bumped") && a->minor[i] == b->minor[i])
			continue; /* moved between groups only: not a version change */
		clm_strbuf_addf(out, "%s %s %s %s..%s %s %s\n", eco, pkgs[i], kind, from, to, group, manifest);
	}
}

static void event_line(const struct clm_dep_event *e, struct clm_strbuf *out)
{
	static const char *const kinds[] = { "added", "removed", "bumped" };

	clm_strbuf_addf(out, "%s %s %s %s..%s %s %s\n", e->ecosystem, e->package, kinds[e->kind], e->from, e->to,
			e->group, e->manifest);
}

/* Sort the lines of `s` in place so both sides compare independent of order. */
static int by_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_lines(struct clm_strbuf *s)
{
	char *lines[64], *copy = strdup(s->buf), *save = NULL;
	size_t n = 0;

	assert_non_null(copy);
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		assert_true(n < 64);
		lines[n++] = l;
	}
	qsort(lines, n, sizeof(*lines), by_line);
	clm_strbuf_reset(s);
	for (size_t i = 0; i < n; i++)
		clm_strbuf_addf(s, "%s\n", lines[i]);
	free(copy);
}

static void warn_fails(void *ctx, const char *msg)
{
	(void)ctx;
	fail_msg("unexpected warning: %s", msg);
}

static void events_between(git_tree *a, git_tree *b, struct clm_strbuf *got, struct clm_dep_event_list *events)
{
	git_diff *diff;
	git_oid commit;

	memset(&commit, 0x11, sizeof(commit));
	assert_int_equal(git_diff_tree_to_tree(&diff, repo, a, b, NULL), 0);
	assert_int_equal(clm_events_from_diff(repo, diff, a, b, &commit, warn_fails, NULL, events), 0);
	for (size_t i = 0; i < events->n; i++) {
		assert_memory_equal(&events->items[i].commit, &commit, sizeof(commit));
		event_line(&events->items[i], got);
	}
	git_diff_free(diff);
}

static void mutate(uint64_t *rng, struct manifest_state *m)
{
	int i = (int)(next(rng) % NPKG);

	switch (next(rng) % 4) {
	case 0: m->minor[i] = m->minor[i] ? 0 : 1 + (int)(next(rng) % 9); break;     /* add or remove */
	case 1: if (m->minor[i]) m->minor[i] = 1 + (m->minor[i] % 9); break;        /* bump */
	case 2: m->dev[i] = !m->dev[i]; break;                                       /* change group */
	default: break;
	}
}

static void events_match_the_walk(void **state)
{
	struct manifest_state py = { { 3, 0, 5, 0 }, { 0 } }, npm = { { 0, 2, 0, 7 }, { 0, 0, 0, 1 } };
	git_tree *prev;
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	size_t seen_kind[3] = { 0 }, quiet_steps = 0;
	(void)state;

	prev = write_tree(&py, &npm, 0);
	for (int step = 1; step <= STEPS; step++) {
		struct manifest_state py2 = py, npm2 = npm;
		struct clm_strbuf want = CLM_STRBUF_INIT, got = CLM_STRBUF_INIT;
		struct clm_dep_event_list events = { 0 };
		git_tree *cur;

		if (next(&rng) % 2)
			mutate(&rng, &py2);
		if (next(&rng) % 2)
			mutate(&rng, &npm2);
		cur = write_tree(&py2, &npm2, step); /* the README changes every step */
		expected_lines("pypi", "requirements.txt", 1, &py, &py2, &want);
		expected_lines("npm", "web/package.json", 2, &npm, &npm2, &want);
		events_between(prev, cur, &got, &events);
		sort_lines(&want);
		sort_lines(&got);
		assert_string_equal(got.buf, want.buf);
		for (size_t i = 0; i < events.n; i++)
			seen_kind[events.items[i].kind]++;
		quiet_steps += events.n == 0;
		clm_dep_event_list_release(&events);
		clm_strbuf_release(&want);
		clm_strbuf_release(&got);
		git_tree_free(prev);
		prev = cur;
		py = py2;
		npm = npm2;
	}
	git_tree_free(prev);
	/* Every kind and steps without events must have occurred for the comparison to mean anything. */
	assert_true(seen_kind[CLM_DEP_ADDED] && seen_kind[CLM_DEP_REMOVED] && seen_kind[CLM_DEP_BUMPED]);
	assert_true(quiet_steps > 0);
}

/* A root commit (no old tree): every dependency is an addition. */
static void root_commit_adds_everything(void **state)
{
	struct manifest_state py = { { 1, 2, 0, 0 }, { 0 } }, npm = { { 0 }, { 0 } };
	struct clm_strbuf got = CLM_STRBUF_INIT;
	struct clm_dep_event_list events = { 0 };
	git_tree *tree = write_tree(&py, &npm, 0);
	(void)state;

	events_between(NULL, tree, &got, &events);
	sort_lines(&got);
	assert_string_equal(got.buf, "pypi alpha added ..1.1.0 runtime requirements.txt\n"
				     "pypi beta-lib added ..1.2.0 runtime requirements.txt\n");
	clm_dep_event_list_release(&events);
	clm_strbuf_release(&got);
	git_tree_free(tree);
}

/* The task id names the first bump, the missing side as "none", and how many more events the
 * commit has; an empty list has none. */
static void task_id_names_the_first_bump(void **state)
{
	struct manifest_state a = { { 1, 0, 4, 0 }, { 0 } }, b = { { 0, 3, 6, 0 }, { 0 } }, none = { { 0 }, { 0 } };
	struct clm_dep_event_list events = { 0 };
	struct clm_strbuf got = CLM_STRBUF_INIT;
	git_tree *ta = write_tree(&a, &none, 0), *tb = write_tree(&b, &none, 0);
	char *id;
	(void)state;

	assert_null(clm_events_task_id(&events));
	events_between(ta, tb, &got, &events);
	assert_int_equal(events.n, 3);
	id = clm_events_task_id(&events);
	assert_non_null(id);
	assert_string_equal(id, "pypi/gamma/1.4.0..1.6.0+2");
	free(id);
	clm_dep_event_list_release(&events);
	clm_strbuf_reset(&got);
	events_between(tb, ta, &got, &events); /* beta-lib removed, gamma back, alpha added */
	id = clm_events_task_id(&events);
	assert_string_equal(id, "pypi/gamma/1.6.0..1.4.0+2");
	free(id);
	clm_dep_event_list_release(&events);
	clm_strbuf_release(&got);
	git_tree_free(ta);
	git_tree_free(tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(events_match_the_walk),
		cmocka_unit_test(root_commit_adds_everything),
		cmocka_unit_test(task_id_names_the_first_bump),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
