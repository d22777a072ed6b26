#include "parsers/codebleu_syntax.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/symtab.h"

#include <stdlib.h>
#include <string.h>

int clm_ts_is_comment(TSNode node)
{
	return strstr(ts_node_type(node), "comment") != NULL;
}

/* One node on the walk's stack: its hash so far and how it enters its parent's hash. */
struct frame {
	uint64_t hash;
	uint64_t field;  /* hash of the field name the parent gives it (0: none) */
	int printed;     /* appears in its parent's S-expression: named or MISSING */
	int listed;      /* counted as a subtree: root, or has children */
	int skip;        /* a comment: neither hashed nor listed */
};

struct frames {
	struct frame *f;
	size_t n, alloc;
};

static int push(struct frames *st, const TSTreeCursor *cursor, int is_root)
{
	TSNode node = ts_tree_cursor_current_node(cursor);
	const char *type = ts_node_type(node), *field = ts_tree_cursor_current_field_name(cursor);
	struct frame *fr;

	if (CLM_ALLOC_GROW(st->f, st->n + 1, st->alloc) < 0)
		return CLM_ENOMEM;
	fr = &st->f[st->n++];
	fr->hash = clm_hash_bytes(type, strlen(type));
	if (ts_node_is_missing(node))
		fr->hash = clm_hash_mix(fr->hash, 0x4d495353494e47ULL);
	if (ts_node_has_error(node) && ts_node_child_count(node) == 0 && strcmp(type, "ERROR")) {
		/* a leaf whose hidden tokens were inserted by error recovery ("MISSING"): the cursor
		 * never visits them, ts_node_string prints them; a leaf's string is short. ERROR
		 * leaves print differently alone and inside their parent, so their type suffices. */
		char *sexp = ts_node_string(node);
		if (!sexp)
			return clm_error_oom();
		fr->hash = clm_hash_mix(fr->hash, clm_hash_bytes(sexp, strlen(sexp)));
		free(sexp);
	}
	fr->field = field ? clm_hash_bytes(field, strlen(field)) : 0;
	fr->printed = ts_node_is_named(node) || ts_node_is_missing(node);
	fr->listed = is_root || ts_node_child_count(node) > 0;
	fr->skip = clm_ts_is_comment(node);
	return 0;
}

static int append(uint64_t **out, size_t *n, size_t *alloc, uint64_t h)
{
	if (CLM_ALLOC_GROW(*out, *n + 1, *alloc) < 0)
		return CLM_ENOMEM;
	(*out)[(*n)++] = h;
	return 0;
}

int clm_syntax_subtree_hashes(TSNode root, uint64_t **hashes, size_t *n)
{
	TSTreeCursor cursor = ts_tree_cursor_new(root);
	struct frames st = { NULL, 0, 0 };
	uint64_t *out = NULL;
	size_t count = 0, alloc = 0;
	int rc = push(&st, &cursor, 1), descend = 1;

	while (rc == 0 && st.n) {
		struct frame done;

		if (descend && !st.f[st.n - 1].skip && ts_tree_cursor_goto_first_child(&cursor)) {
			rc = push(&st, &cursor, 0);
			continue;
		}
		done = st.f[--st.n];
		if (!done.skip) {
			/* close the S-expression so "(a (b))" and "(a) (b)" differ */
			done.hash = clm_hash_mix(done.hash, 0x29);
			if (done.listed && (rc = append(&out, &count, &alloc, done.hash)) < 0)
				break;
			if (st.n && done.printed) {
				struct frame *parent = &st.f[st.n - 1];
				parent->hash = clm_hash_mix(parent->hash, clm_hash_mix(done.field, done.hash));
			}
		}
		if (!st.n)
			break;
		if (ts_tree_cursor_goto_next_sibling(&cursor)) {
			rc = push(&st, &cursor, 0);
			descend = 1;
		} else {
			ts_tree_cursor_goto_parent(&cursor);
			descend = 0;
		}
	}
	ts_tree_cursor_delete(&cursor);
	free(st.f);
	if (rc < 0) {
		free(out);
		return rc;
	}
	*hashes = out;
	*n = count;
	return 0;
}
