/* Recording a model version: every object first, then the references, under the lock. */
#include "store/notes.h"
#include "git/refs.h"
#include "io/hf_dir.h"
#include "store/store.h"
#include "git/tree.h"
#include "store/weights.h"
#include "util/error.h"
#include "util/json.h"

#include <string.h>

static int one_line(const char *what, const char *v, int required)
{
	if (!v)
		return required ? clm_error_set(CLM_EINVALID, "%s is required", what) : 0;
	if (!*v || strpbrk(v, "\r\n"))
		return clm_error_set(CLM_EINVALID, "%s must be one non-empty line", what);
	return 0;
}

static int is_side_file(const char *path)
{
	for (int i = 0; clm_hf_side_files[i]; i++)
		if (!strcmp(path, clm_hf_side_files[i]))
			return 1;
	return 0;
}

static int check_spec(const struct clm_version_spec *spec)
{
	json_t *j;
	int rc;

	if (!spec->weights)
		return clm_error_set(CLM_EINVALID, "a model version needs weights");
	j = clm_json_parse(spec->config_json ? spec->config_json : "", spec->config_len, "config.json");
	rc = !j ? CLM_EINVALID : json_is_object(j) ? 0 : clm_error_set(CLM_EINVALID, "config.json is not an object");
	json_decref(j);
	if (rc < 0)
		return rc;
	j = clm_json_parse(spec->tokenizer_json ? spec->tokenizer_json : "", spec->tokenizer_len, "tokenizer.json");
	if (!j)
		return CLM_EINVALID;
	json_decref(j);
	for (size_t i = 0; spec->files && i < spec->files->n; i++) {
		const char *p = spec->files->items[i].path;
		if (is_side_file(p))
			continue;
		if ((strncmp(p, "cl/", 3) && strncmp(p, "tasks/", 6) && strncmp(p, "eval/", 5)) ||
		    !clm_tree_path_is_clean(p))
			return clm_error_set(CLM_EINVALID, "file '%s' must be a clean path under cl/, tasks/ or eval/, "
					     "or a Hugging Face side file", p);
	}
	if ((rc = one_line("the summary", spec->summary, 1)) < 0 ||
	    (rc = one_line("Clmodel-Strategy", spec->strategy, 0)) < 0 ||
	    (rc = one_line("Clmodel-Task", spec->task, 0)) < 0)
		return rc;
	return one_line("Clmodel-Source", spec->source, 0);
}

static int build_message(const struct clm_version_spec *spec, const char *source_hex, struct clm_strbuf *msg)
{
	int rc = clm_strbuf_addf(msg, "%s\n", spec->summary);

	if (rc == 0 && (spec->strategy || spec->task || source_hex))
		rc = clm_strbuf_addch(msg, '\n');
	if (rc == 0 && spec->strategy)
		rc = clm_strbuf_addf(msg, "Clmodel-Strategy: %s\n", spec->strategy);
	if (rc == 0 && spec->task)
		rc = clm_strbuf_addf(msg, "Clmodel-Task: %s\n", spec->task);
	if (rc == 0 && source_hex)
		rc = clm_strbuf_addf(msg, "Clmodel-Source: %s\n", source_hex);
	return rc;
}

/* The whole tree of the new version. */
static int plan_tree(struct clm_store *s, const struct clm_version_spec *spec, const git_commit *parent,
		     git_oid *tree_out)
{
	struct clm_tree_plan plan = { 0 };
	struct clm_tensor_entry *prev = NULL;
	size_t nprev = 0;
	git_tree *ptree = NULL;
	int rc = clm_tree_plan_add_bytes(&plan, s->repo, "config.json", spec->config_json, spec->config_len);

	if (rc == 0 && parent && (rc = git_commit_tree(&ptree, parent)) < 0)
		rc = clm_git_error(rc, "cannot read the previous version's tree");
	/* The previous index only saves hashing (a damaged one just means hashing everything), unless
	 * its backbone is to be kept. */
	if (rc == 0 && ptree && (rc = clm_weights_index_read(s->repo, ptree, &prev, &nprev)) < 0 && !spec->keep_backbone) {
		clm_error_clear();
		rc = 0;
	}
	if (rc == 0)
		rc = clm_tree_plan_add_bytes(&plan, s->repo, "tokenizer.json", spec->tokenizer_json, spec->tokenizer_len);
	if (rc == 0)
		rc = clm_weights_plan(&plan, s->repo, spec->weights, prev, nprev, spec->keep_backbone && ptree);
	for (size_t i = 0; spec->files && i < spec->files->n && rc == 0; i++)
		rc = clm_tree_plan_add_bytes(&plan, s->repo, spec->files->items[i].path, spec->files->items[i].data,
					     spec->files->items[i].len);
	if (rc == 0 && spec->keep_tasks && ptree)
		rc = clm_tree_plan_inherit(&plan, s->repo, ptree, "tasks");
	for (int i = 0; rc == 0 && ptree && clm_hf_side_files[i]; i++)
		rc = clm_tree_plan_inherit_file(&plan, ptree, clm_hf_side_files[i]);
	if (rc == 0)
		rc = clm_tree_plan_write(&plan, s->repo, tree_out);
	clm_tensor_entries_free(prev, nprev);
	git_tree_free(ptree);
	clm_tree_plan_release(&plan);
	return rc;
}

static int resolve_source(struct clm_store *s, const char *source, git_oid *out)
{
	git_object *obj = NULL, *c = NULL;
	int rc = git_revparse_single(&obj, s->repo, source);

	if (rc == 0)
		rc = git_object_peel(&c, obj, GIT_OBJECT_COMMIT);
	if (rc == 0)
		git_oid_cpy(out, git_object_id(c));
	git_object_free(c);
	git_object_free(obj);
	return rc < 0 ? clm_error_set(CLM_ENOTFOUND, "source commit '%s' not found", source) : 0;
}

static int check_expected_head(const struct clm_version_spec *spec, const git_oid *head, int have_head,
			       const char *ref)
{
	git_oid want;

	if (!spec->expect_head)
		return 0;
	if (!*spec->expect_head)
		return have_head ? clm_error_set(CLM_ECONFLICT, "model %s already exists", ref) : 0;
	if (git_oid_fromstr(&want, spec->expect_head) < 0)
		return clm_error_set(CLM_EINVALID, "expected head '%s' is not a full object id", spec->expect_head);
	if (!have_head || !git_oid_equal(&want, head))
		return clm_error_set(CLM_ECONFLICT, "%s moved since version %.12s was read; nothing recorded (train "
				     "again from the new head)", ref, spec->expect_head);
	return 0;
}

/* A "model" line (or "candidate" for a version kept aside) for the note on the source commit. */
static int source_note_line(const struct clm_version_spec *spec, const git_oid *version, struct clm_strbuf *line)
{
	char hex[GIT_OID_HEXSZ + 1];
	json_t *f = json_object();
	int rc;

	git_oid_tostr(hex, sizeof(hex), version);
	json_object_set_new(f, "model", json_string(spec->model ? spec->model : CLM_STORE_DEFAULT_MODEL));
	json_object_set_new(f, "version", json_string(hex));
	if (spec->task)
		json_object_set_new(f, "task", json_string(spec->task));
	if (spec->strategy)
		json_object_set_new(f, "strategy", json_string(spec->strategy));
	/* Only "model" lines make a version serve a commit, so a version kept aside is noted apart. */
	if (spec->ref)
		json_object_set_new(f, "ref", json_string(spec->ref));
	if (spec->ref && spec->reason)
		json_object_set_new(f, "reason", json_string(spec->reason));
	rc = clm_note_line(clm_store_now(), spec->ref ? "candidate" : "model", f, line);
	json_decref(f);
	return rc;
}

/* A version written aside from the head must go under refs/clmodel/, outside models/. */
static int check_target_ref(const char *ref)
{
	int valid = 0;

	if (!ref)
		return 0;
	if (strncmp(ref, "refs/clmodel/", 13) || !strncmp(ref, CLM_STORE_MODELS_PREFIX, strlen(CLM_STORE_MODELS_PREFIX)) ||
	    git_reference_name_is_valid(&valid, ref) < 0 || !valid)
		return clm_error_set(CLM_EINVALID, "'%s' is not a reference under refs/clmodel/ outside models/", ref);
	return 0;
}

/* The notes commit that adds the "model" line to the source commit's note, on top of the current
 * notes (`*notes_old`, when `*have_notes`); `*tip` is where refs/notes/clmodel should move. */
static int stage_source_note(struct clm_store *s, const struct clm_version_spec *spec, const git_oid *version,
			     const git_oid *source, git_oid *notes_old, int *have_notes, git_oid *tip, int *have_tip)
{
	struct clm_strbuf line = CLM_STRBUF_INIT;
	int rc = clm_ref_read(s->repo, CLM_STORE_NOTES_REF, notes_old);

	*have_notes = rc == 0;
	if (rc == CLM_ENOTFOUND) {
		memset(notes_old, 0, sizeof(*notes_old));
		rc = 0;
	}
	git_oid_cpy(tip, notes_old);
	*have_tip = *have_notes;
	if (rc == 0)
		rc = source_note_line(spec, version, &line);
	if (rc == 0)
		rc = clm_notes_stage(s, tip, have_tip, source, line.buf);
	clm_strbuf_release(&line);
	return rc;
}

int clm_store_write_version(struct clm_store *s, const struct clm_version_spec *spec, git_oid *out)
{
	struct clm_strbuf msg = CLM_STRBUF_INIT;
	char ref[256], source_hex[GIT_OID_HEXSZ + 1];
	git_oid head, tree_id, source, notes_old, notes_tip, target_old;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	const char *target;
	int have_head, have_target = 0, have_notes = 0, have_tip = 0, rc;

	if ((rc = clm_store_model_ref(spec->model, ref, sizeof(ref))) < 0 || (rc = check_spec(spec)) < 0 ||
	    (rc = check_target_ref(spec->ref)) < 0)
		return rc;
	target = spec->ref ? spec->ref : ref;
	memset(&head, 0, sizeof(head));
	if (spec->source && (rc = resolve_source(s, spec->source, &source)) < 0)
		return rc;
	if (spec->source)
		git_oid_tostr(source_hex, sizeof(source_hex), &source);
	if ((rc = clm_store_lock(s)) < 0)
		return rc;
	rc = clm_ref_read(s->repo, ref, &head);
	have_head = rc == 0;
	if (rc == CLM_ENOTFOUND)
		rc = 0;
	if (rc == 0)
		rc = check_expected_head(spec, &head, have_head, ref);
	if (rc == 0 && spec->ref) {
		rc = clm_ref_read(s->repo, target, &target_old);
		have_target = rc == 0;
		if (rc == CLM_ENOTFOUND)
			rc = 0;
	} else if (rc == 0) {
		git_oid_cpy(&target_old, &head);
		have_target = have_head;
	}
	if (rc == 0 && have_head && (rc = git_commit_lookup(&parent, s->repo, &head)) < 0)
		rc = clm_git_error(rc, "cannot read the model head");
	if (rc == 0)
		rc = plan_tree(s, spec, parent, &tree_id);
	if (rc == 0 && (rc = git_tree_lookup(&tree, s->repo, &tree_id)) < 0)
		rc = clm_git_error(rc, "cannot read the new tree");
	if (rc == 0)
		rc = build_message(spec, spec->source ? source_hex : NULL, &msg);
	if (rc == 0)
		rc = clm_store_signature(s, &sig);
	if (rc == 0 && (rc = git_commit_create(out, s->repo, NULL, sig, sig, NULL, msg.buf, tree, parent ? 1 : 0,
					       (const git_commit **)&parent)) < 0)
		rc = clm_git_error(rc, "cannot write the version commit");
	if (rc == 0 && spec->source)
		rc = stage_source_note(s, spec, out, &source, &notes_old, &have_notes, &notes_tip, &have_tip);
	/* Every object exists now; the references move last, each by compare-and-swap. */
	if (rc == 0)
		rc = clm_ref_cas(s->repo, target, out, have_target ? &target_old : NULL, "clmodel: new version");
	if (rc == 0 && have_tip && (!have_notes || !git_oid_equal(&notes_tip, &notes_old)))
		rc = clm_ref_cas(s->repo, CLM_STORE_NOTES_REF, &notes_tip, have_notes ? &notes_old : NULL,
				 "clmodel: note new version");
	clm_store_unlock(s);
	git_signature_free(sig);
	git_tree_free(tree);
	git_commit_free(parent);
	clm_strbuf_release(&msg);
	return rc;
}
