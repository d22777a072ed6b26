/* Files of a model version's tree. First byte 0: weights/index.json, read from a tree that also
 * holds weights/a, b, c and d (one blob of four f32 values, shared as identical tensors share
 * theirs) in an in-memory object database, then loaded with its size and checksum checks; 1: config.json; 2: a pointer file of the HTTP object store; 3: the mining
 * state (clmodel/mine-state.json), which sits beside the store. */
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/repository.h>
#include "fuzz.h"
#include "mine/state.h"
#include "store/weights.h"
#include "nn/config.h"
#include "remote/objstore.h"
#include "util/json.h"

static const float blob_a[4] = { 1.0f, 2.0f, 3.0f, 4.0f };

/* A tree {weights/index.json: index, weights/a..d: blob_a} in `repo`. */
static int build_tree(git_repository *repo, const char *index, size_t len, git_tree **out)
{
	git_treebuilder *tb = NULL;
	git_oid idx_id, a_id, weights_id, root_id;
	int rc;

	rc = git_blob_create_from_buffer(&idx_id, repo, index, len);
	rc = rc < 0 ? rc : git_blob_create_from_buffer(&a_id, repo, blob_a, sizeof(blob_a));
	rc = rc < 0 ? rc : git_treebuilder_new(&tb, repo, NULL);
	rc = rc < 0 ? rc : git_treebuilder_insert(NULL, tb, "index.json", &idx_id, GIT_FILEMODE_BLOB);
	for (const char *f = "abcd"; *f && rc >= 0; f++) {
		char name[2] = { *f, 0 };
		rc = git_treebuilder_insert(NULL, tb, name, &a_id, GIT_FILEMODE_BLOB);
	}
	rc = rc < 0 ? rc : git_treebuilder_write(&weights_id, tb);
	git_treebuilder_free(tb);
	tb = NULL;
	rc = rc < 0 ? rc : git_treebuilder_new(&tb, repo, NULL);
	rc = rc < 0 ? rc : git_treebuilder_insert(NULL, tb, "weights", &weights_id, GIT_FILEMODE_TREE);
	rc = rc < 0 ? rc : git_treebuilder_write(&root_id, tb);
	git_treebuilder_free(tb);
	return rc < 0 ? rc : git_tree_lookup(out, repo, &root_id);
}

static void weights_index(const char *text, size_t len)
{
	git_odb *odb = NULL;
	git_odb_backend *mem = NULL;
	git_repository *repo = NULL;
	git_tree *tree = NULL;
	struct clm_tensor_entry *idx = NULL;
	struct clm_tensor_list weights = { 0 };
	size_t n = 0;

	git_libgit2_init();
	/* the object database owns the backend once added; a set-up failure is a harness bug */
	if (git_odb_new(&odb) < 0 || git_mempack_new(&mem) < 0 || git_odb_add_backend(odb, mem, 1) < 0 ||
	    git_repository_wrap_odb(&repo, odb) < 0 || build_tree(repo, text, len, &tree) < 0)
		abort();
	if (clm_weights_index_read(repo, tree, &idx, &n) == 0) {
		size_t bytes = 0;
		if (clm_weights_load(repo, idx, n, &weights) == 0)
			for (size_t i = 0; i < weights.n; i++)
				bytes += weights.items[i].nbytes;
		/* the tree holds one distinct 16-byte blob: reuse may at most double it */
		if (bytes > 2 * sizeof(blob_a))
			abort();
		clm_tensor_entries_free(idx, n);
	}
	clm_tensor_list_release(&weights);
	git_tree_free(tree);
	git_repository_free(repo);
	git_odb_free(odb);
}

static void config_json(const char *text, size_t len)
{
	struct clm_gpt_config cfg;
	json_t *obj = clm_json_parse(text, len, "config.json");

	if (obj)
		clm_gpt_config_from_json(obj, &cfg);
	json_decref(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clm_obj_ref ref;
	struct clm_mine_state state;
	const char *text = (const char *)data + 1;

	if (size < 1)
		return 0;
	switch (data[0]) {
	case 0:
		weights_index(text, size - 1);
		break;
	case 1:
		config_json(text, size - 1);
		break;
	case 2:
		clm_obj_pointer_parse(text, size - 1, &ref);
		break;
	case 3:
		if (clm_mine_state_parse("mine-state.json", text, size - 1, &state) == 0)
			clm_mine_state_release(&state);
		break;
	}
	return 0;
}
