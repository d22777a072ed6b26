/* libcore/store/notes: line format, sorted union, adding keeps lines, merging two histories. */
#include "test_helpers.h"
#include "store/notes.h"
#include "git/refs.h"
#include "store/store.h"
#include "util/error.h"

static void line_has_time_and_kind_first(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	json_t *f = json_pack("{ss ss si}", "version", "abc", "model", "default", "t", 5);
	(void)state;

	assert_int_equal(clm_note_line(1764000000, "model", f, &sb), 0);
	assert_string_equal(sb.buf, "{\"t\":1764000000,\"kind\":\"model\",\"model\":\"default\",\"version\":\"abc\"}");
	json_decref(f);
	clm_strbuf_release(&sb);
}

static void union_sorts_and_dedups(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	const char *a = "{\"t\":2}\n{\"t\":4}\n", *b = "{\"t\":3}\n{\"t\":2}\n\n{\"t\":1}";
	(void)state;

	assert_int_equal(clm_note_union(a, strlen(a), b, strlen(b), &sb), 0);
	assert_string_equal(sb.buf, "{\"t\":1}\n{\"t\":2}\n{\"t\":3}\n{\"t\":4}\n");
	clm_strbuf_reset(&sb);
	assert_int_equal(clm_note_union("", 0, "", 0, &sb), 0);
	assert_string_equal(sb.buf, "");
	clm_strbuf_release(&sb);
}

static char *make_repo(void)
{
	char *dir = clm_test_tmpdir(), cmd[512];

	snprintf(cmd, sizeof(cmd), "cd %s && git init -q && git commit -q --allow-empty -m one && "
		 "git commit -q --allow-empty -m two", dir);
	assert_int_equal(system(cmd), 0);
	return dir;
}

static void add_keeps_other_lines_and_git_reads_them(void **state)
{
	char *dir = make_repo(), cmd[512];
	struct clm_store s;
	git_oid head;
	json_t *f = json_pack("{ss}", "who", "x"), *ev;
	(void)state;

	assert_int_equal(clm_store_open(&s, dir), 0);
	assert_int_equal(git_reference_name_to_id(&head, s.repo, "HEAD"), 0);
	assert_int_equal(clm_notes_add(&s, &head, "review", f), 0);
	assert_int_equal(clm_notes_add(&s, &head, "model", f), 0);
	assert_int_equal(clm_notes_events(&s, &head, &ev), 0);
	assert_int_equal(json_array_size(ev), 2);
	json_decref(ev);
	/* git itself reads the note, and its lines are sorted. */
	snprintf(cmd, sizeof(cmd), "cd %s && git notes --ref=clmodel show HEAD | sort -c && "
		 "test $(git notes --ref=clmodel show HEAD | wc -l) -eq 2", dir);
	assert_int_equal(system(cmd), 0);
	json_decref(f);
	clm_store_close(&s);
	free(dir);
}

static void merge_is_union_with_both_parents(void **state)
{
	char *dir = make_repo(), cmd[1024];
	struct clm_store s;
	git_oid head, ours, theirs, merged;
	struct clm_strbuf text = CLM_STRBUF_INIT;
	int changed;
	(void)state;

	/* Two notes histories from a common start, each adding its own line to HEAD's note. */
	snprintf(cmd, sizeof(cmd), "cd %s && git notes --ref=clmodel add -m '{\"t\":1,\"kind\":\"a\"}' HEAD && "
		 "git update-ref refs/notes/other refs/notes/clmodel && "
		 "git notes --ref=clmodel add -f -m '{\"t\":1,\"kind\":\"a\"}\n{\"t\":3,\"kind\":\"ours\"}' HEAD && "
		 "git notes --ref=other add -f -m '{\"t\":1,\"kind\":\"a\"}\n{\"t\":2,\"kind\":\"theirs\"}' HEAD && "
		 "git notes --ref=other add -m '{\"t\":9,\"kind\":\"only-theirs\"}' HEAD~1", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(clm_store_open(&s, dir), 0);
	assert_int_equal(git_reference_name_to_id(&head, s.repo, "HEAD"), 0);
	assert_int_equal(git_reference_name_to_id(&ours, s.repo, CLM_STORE_NOTES_REF), 0);
	assert_int_equal(git_reference_name_to_id(&theirs, s.repo, "refs/notes/other"), 0);
	assert_int_equal(clm_notes_merge(&s, &theirs, &changed), 0);
	assert_true(changed);
	assert_int_equal(clm_notes_read(&s, NULL, &head, &text), 0);
	assert_string_equal(text.buf, "{\"t\":1,\"kind\":\"a\"}\n{\"t\":2,\"kind\":\"theirs\"}\n{\"t\":3,\"kind\":\"ours\"}\n");
	assert_int_equal(git_reference_name_to_id(&merged, s.repo, CLM_STORE_NOTES_REF), 0);
	assert_int_equal(git_graph_descendant_of(s.repo, &merged, &ours), 1);
	assert_int_equal(git_graph_descendant_of(s.repo, &merged, &theirs), 1);
	/* Merging again, or merging an ancestor, changes nothing. */
	assert_int_equal(clm_notes_merge(&s, &theirs, &changed), 0);
	assert_false(changed);
	snprintf(cmd, sizeof(cmd), "cd %s && git notes --ref=clmodel show HEAD~1 | grep -q only-theirs", dir);
	assert_int_equal(system(cmd), 0);
	clm_strbuf_release(&text);
	clm_store_close(&s);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_has_time_and_kind_first),
		cmocka_unit_test(union_sorts_and_dedups),
		cmocka_unit_test(add_keeps_other_lines_and_git_reads_them),
		cmocka_unit_test(merge_is_union_with_both_parents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
