#include "mine/state.h"
#include "git/repo.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

int clm_mine_state_parse(const char *name, const char *data, size_t len, struct clm_mine_state *s)
{
	json_t *root = clm_json_parse(data, len, name), *tips, *depths, *open;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	tips = root ? json_object_get(root, "tips") : NULL;
	if (!tips || !json_is_array(tips)) {
		rc = root ? clm_error_set(CLM_EINVALID, "%s: no 'tips' array", name) : CLM_EINVALID;
		goto cleanup;
	}
	depths = json_object_get(root, "depths");
	if (depths && (!json_is_array(depths) || json_array_size(depths) != json_array_size(tips))) {
		rc = clm_error_set(CLM_EINVALID, "%s: 'depths' does not match 'tips'", name);
		goto cleanup;
	}
	s->tips = calloc(json_array_size(tips) + 1, sizeof(*s->tips));
	s->depths = calloc(json_array_size(tips) + 1, sizeof(*s->depths));
	if (!s->tips || !s->depths) {
		rc = clm_error_oom();
		goto cleanup;
	}
	for (size_t i = 0; i < json_array_size(tips); i++) {
		const char *hex = json_string_value(json_array_get(tips, i));
		json_t *d = depths ? json_array_get(depths, i) : NULL;
		if (!hex || git_oid_fromstr(&s->tips[s->n], hex) < 0) {
			rc = clm_error_set(CLM_EINVALID, "%s: tip %zu is not a commit id", name, i);
			goto cleanup;
		}
		if (d && !json_is_null(d) && (!json_is_integer(d) || json_integer_value(d) < 0)) {
			rc = clm_error_set(CLM_EINVALID, "%s: depth %zu is not a count", name, i);
			goto cleanup;
		}
		s->depths[s->n] = d && json_is_integer(d) ? (size_t)json_integer_value(d) : CLM_DEPTH_UNKNOWN;
		s->n++;
	}
	open = json_object_get(root, "open");
	if (open && json_is_object(open)) {
		const char *id = json_string_value(json_object_get(open, "task"));
		const char *last = json_string_value(json_object_get(open, "last"));
		json_int_t left = json_integer_value(json_object_get(open, "left"));
		json_int_t commits = json_integer_value(json_object_get(open, "commits"));
		git_oid last_id;
		if (!id || !last || git_oid_fromstr(&last_id, last) < 0 || left < 0 || commits < 0) {
			rc = clm_error_set(CLM_EINVALID, "%s: malformed 'open' task", name);
			goto cleanup;
		}
		rc = clm_mine_state_set_open(s, id, &last_id, (unsigned)left, (unsigned)commits);
	}
cleanup:
	if (rc < 0)
		clm_mine_state_release(s);
	json_decref(root);
	return rc;
}

int clm_mine_state_load(git_repository *repo, struct clm_mine_state *s)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, data = CLM_STRBUF_INIT;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = clm_repo_state_path(repo, "mine-state.json", &path)) == 0)
		rc = clm_read_file(path.buf, 1 << 20, &data);
	if (rc == 0)
		rc = clm_mine_state_parse(path.buf, data.buf, data.len, s);
	else if (rc == CLM_ENOTFOUND)
		rc = 0;
	clm_strbuf_release(&path);
	clm_strbuf_release(&data);
	return rc;
}

int clm_mine_state_add(git_repository *repo, struct clm_mine_state *s, const git_oid *tip, size_t depth)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (git_oid_equal(&s->tips[i], tip) || git_graph_descendant_of(repo, tip, &s->tips[i]) == 1)
			continue;
		s->depths[kept] = s->depths[i];
		s->tips[kept++] = s->tips[i];
	}
	s->n = kept;
	if (CLM_ALLOC_GROW(s->tips, s->n + 1, s->tips_alloc) < 0 ||
	    CLM_ALLOC_GROW(s->depths, s->n + 1, s->depths_alloc) < 0)
		return CLM_ENOMEM;
	s->tips[s->n] = *tip;
	s->depths[s->n++] = depth;
	return 0;
}

int clm_mine_state_set_open(struct clm_mine_state *s, const char *id, const git_oid *last, unsigned left,
			    unsigned commits)
{
	free(s->open_task);
	s->open_task = NULL;
	if (!id)
		return 0;
	s->open_task = strdup(id);
	if (!s->open_task)
		return clm_error_oom();
	s->open_last = *last;
	s->open_left = left;
	s->open_commits = commits;
	return 0;
}

int clm_mine_state_save(git_repository *repo, const struct clm_mine_state *s)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, dir = CLM_STRBUF_INIT, out = CLM_STRBUF_INIT;
	json_t *root = json_object(), *tips = json_array(), *depths = json_array();
	int rc = 0;

	for (size_t i = 0; root && tips && depths && i < s->n; i++) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &s->tips[i]);
		if (json_array_append_new(tips, json_string(hex)) < 0 ||
		    json_array_append_new(depths, s->depths[i] == CLM_DEPTH_UNKNOWN ? json_null()
										 : json_integer((json_int_t)s->depths[i])) < 0)
			rc = CLM_ENOMEM;
	}
	if (root && s->open_task) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &s->open_last);
		if (json_object_set_new(root, "open", json_pack("{s:s,s:s,s:I,s:I}", "task", s->open_task, "last", hex,
								"left", (json_int_t)s->open_left, "commits",
								(json_int_t)s->open_commits)) < 0)
			rc = CLM_ENOMEM;
	}
	if (!root || !tips || !depths || rc || json_object_set(root, "tips", tips) < 0 ||
	    json_object_set(root, "depths", depths) < 0 ||
	    clm_repo_state_path(repo, "mine-state.json", &path) < 0 || clm_repo_state_path(repo, NULL, &dir) < 0 ||
	    clm_json_dump_pretty(root, &out) < 0)
		rc = clm_error_oom();
	else if ((rc = clm_mkdir_p(dir.buf, 0777)) == 0)
		rc = clm_write_file_atomic(path.buf, out.buf, out.len);
	json_decref(tips);
	json_decref(depths);
	json_decref(root);
	clm_strbuf_release(&path);
	clm_strbuf_release(&dir);
	clm_strbuf_release(&out);
	return rc;
}

void clm_mine_state_release(struct clm_mine_state *s)
{
	free(s->open_task);
	s->open_task = NULL;
	free(s->tips);
	free(s->depths);
	s->tips = NULL;
	s->depths = NULL;
	s->n = s->tips_alloc = s->depths_alloc = 0;
}
