#include "store/store.h"
#include "git/refs.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Lock wait from `clmodel.lockWaitMs`, so tests and impatient scripts can fail fast. */
static int configured_lock_wait(git_repository *repo)
{
	git_config *cfg = NULL;
	int32_t v = 10000;

	if (git_repository_config_snapshot(&cfg, repo) == 0) {
		if (git_config_get_int32(&v, cfg, "clmodel.lockWaitMs") < 0 || v < 0)
			v = 10000;
		git_config_free(cfg);
	}
	return v;
}

int clm_store_open(struct clm_store *s, const char *path)
{
	struct clm_strbuf dir = CLM_STRBUF_INIT;
	int rc;

	memset(s, 0, sizeof(*s));
	git_libgit2_init();
	rc = git_repository_open_ext(&s->repo, path ? path : ".", 0, NULL);
	if (rc < 0) {
		rc = clm_git_error(rc, "not a git repository: '%s'", path ? path : ".");
		goto fail;
	}
	if ((rc = clm_strbuf_addf(&dir, "%sclmodel", git_repository_commondir(s->repo))) < 0)
		goto fail;
	if ((rc = clm_mkdir_p(dir.buf, 0755)) < 0)
		goto fail;
	s->dir = clm_strbuf_detach(&dir, NULL);
	s->lock_wait_ms = configured_lock_wait(s->repo);
	return 0;
fail:
	clm_strbuf_release(&dir);
	git_repository_free(s->repo);
	s->repo = NULL;
	git_libgit2_shutdown();
	return rc;
}

void clm_store_close(struct clm_store *s)
{
	if (!s->repo)
		return;
	clm_lock_release(&s->lock);
	git_repository_free(s->repo);
	free(s->dir);
	memset(s, 0, sizeof(*s));
	git_libgit2_shutdown();
}

/* Remove "<ref>.lock" files under the given directory tree. */
static void remove_lock_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".lock"))
			unlink(path);
		else if (e->d_type == DT_DIR)
			remove_lock_files(path);
	}
	closedir(d);
}

/* A writer killed while libgit2 moved one of our references leaves "<ref>.lock" behind, which
 * would block every later write. Our references only move under our lock, so once a dead
 * writer's lock was broken, such files are its leftovers. */
static void remove_stale_ref_locks(struct clm_store *s)
{
	char path[4096];

	snprintf(path, sizeof(path), "%srefs/clmodel", git_repository_commondir(s->repo));
	remove_lock_files(path);
	snprintf(path, sizeof(path), "%s%s.lock", git_repository_commondir(s->repo), CLM_STORE_NOTES_REF);
	unlink(path);
}

int clm_store_lock(struct clm_store *s)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc;

	if (s->lock_depth > 0) {
		s->lock_depth++;
		return 0;
	}
	if ((rc = clm_strbuf_addf(&path, "%s/lock", s->dir)) < 0)
		return rc;
	rc = clm_lock_acquire(&s->lock, path.buf, s->lock_wait_ms);
	clm_strbuf_release(&path);
	if (rc == 0)
		s->lock_depth = 1;
	if (rc == 0 && s->lock.broke_stale)
		remove_stale_ref_locks(s);
	return rc;
}

void clm_store_unlock(struct clm_store *s)
{
	if (s->lock_depth > 0 && --s->lock_depth == 0)
		clm_lock_release(&s->lock);
}

static int valid_model_name(const char *m)
{
	if (!*m || *m == '.' || strlen(m) > 100)
		return 0;
	for (; *m; m++)
		if (!isalnum((unsigned char)*m) && *m != '-' && *m != '_' && *m != '.')
			return 0;
	return 1;
}

int clm_store_model_ref(const char *model, char *out, size_t size)
{
	if (!model)
		model = CLM_STORE_DEFAULT_MODEL;
	if (!valid_model_name(model))
		return clm_error_set(CLM_EINVALID, "'%s' is not a valid model name (letters, digits, '-', '_', '.')",
				     model);
	if ((size_t)snprintf(out, size, "%s%s", CLM_STORE_MODELS_PREFIX, model) >= size)
		return clm_error_set(CLM_EINVALID, "model name '%s' is too long", model);
	return 0;
}

int clm_store_head(struct clm_store *s, const char *model, git_oid *out)
{
	char ref[256];
	int rc = clm_store_model_ref(model, ref, sizeof(ref));

	if (rc < 0)
		return rc;
	rc = clm_ref_read(s->repo, ref, out);
	if (rc == CLM_ENOTFOUND)
		return clm_error_set(CLM_ENOTFOUND, "no model '%s' in this repository (%s does not exist); "
				     "create it with 'git clmodel init' (or 'init --base <model dir>')",
				     model ? model : CLM_STORE_DEFAULT_MODEL, ref);
	return rc;
}

/* A model version is a commit whose tree has weights/index.json. */
static int check_is_version(struct clm_store *s, const git_oid *id, const char *rev)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	int rc = git_commit_lookup(&c, s->repo, id);

	if (rc < 0)
		return clm_error_set(CLM_ENOTFOUND, "'%s' is not a commit", rev);
	rc = git_commit_tree(&t, c);
	if (rc == 0)
		rc = git_tree_entry_bypath(&e, t, "weights/index.json");
	git_tree_entry_free(e);
	git_tree_free(t);
	git_commit_free(c);
	return rc < 0 ? clm_error_set(CLM_EINVALID, "'%s' is not a model version (its tree has no "
				      "weights/index.json)", rev) : 0;
}

int clm_store_resolve(struct clm_store *s, const char *model, const char *rev, git_oid *out)
{
	struct clm_strbuf full = CLM_STRBUF_INIT;
	git_object *obj = NULL, *peeled = NULL;
	char ref[256];
	size_t stem;
	int rc;

	if (!rev)
		return clm_store_head(s, model, out);
	stem = strcspn(rev, "~^");
	/* "<model>" and "<model>~N" name a model's reference. */
	if (stem > 0 && stem < sizeof(ref) - sizeof(CLM_STORE_MODELS_PREFIX)) {
		char name[128];
		git_oid tmp;
		snprintf(name, sizeof(name), "%.*s", (int)stem, rev);
		if (valid_model_name(name) && clm_store_model_ref(name, ref, sizeof(ref)) == 0 &&
		    clm_ref_read(s->repo, ref, &tmp) == 0)
			rc = clm_strbuf_addf(&full, "%s%s", ref, rev + stem);
		else
			rc = clm_strbuf_addstr(&full, rev);
	} else {
		rc = clm_strbuf_addstr(&full, rev);
	}
	if (rc < 0)
		return rc;
	rc = git_revparse_single(&obj, s->repo, full.buf);
	if (rc == 0)
		rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	if (rc < 0) {
		rc = clm_error_set(CLM_ENOTFOUND, "no model version '%s'", rev);
	} else {
		git_oid_cpy(out, git_object_id(peeled));
		rc = check_is_version(s, out, rev);
	}
	git_object_free(peeled);
	git_object_free(obj);
	clm_strbuf_release(&full);
	return rc;
}

/* Parse GIT_COMMITTER_DATE in git's raw forms "<seconds> <+hhmm>" or "@<seconds> <+hhmm>". */
static int env_date(int64_t *when, int *offset_min)
{
	const char *d = getenv("GIT_COMMITTER_DATE");
	char *end;
	long long secs;
	int tz = 0;

	if (!d || !*d)
		return 0;
	if (*d == '@')
		d++;
	secs = strtoll(d, &end, 10);
	if (end == d || (*end && *end != ' '))
		return 0;
	while (*end == ' ')
		end++;
	if ((*end == '+' || *end == '-') && isdigit((unsigned char)end[1])) {
		long v = strtol(end + 1, NULL, 10);
		tz = (int)(v / 100 * 60 + v % 100) * (*end == '-' ? -1 : 1);
	}
	*when = secs;
	*offset_min = tz;
	return 1;
}

int64_t clm_store_now(void)
{
	int64_t when;
	int tz;

	return env_date(&when, &tz) ? when : (int64_t)time(NULL);
}

int clm_store_signature(struct clm_store *s, git_signature **out)
{
	git_signature *def = NULL;
	int64_t when;
	int tz, rc;

	if (git_signature_default(&def, s->repo) < 0 &&
	    git_signature_now(&def, "git-clmodel", "git-clmodel@localhost") < 0)
		return clm_git_error(-1, "cannot make a commit signature");
	if (!env_date(&when, &tz)) {
		*out = def;
		return 0;
	}
	rc = git_signature_new(out, def->name, def->email, (git_time_t)when, tz);
	git_signature_free(def);
	return rc < 0 ? clm_git_error(rc, "cannot make a commit signature") : 0;
}
