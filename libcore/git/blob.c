#include "git/blob.h"
#include "git/repo.h"
#include "util/error.h"

#include <string.h>
#include <strings.h>

int clm_blob_read_capped(git_repository *repo, const git_oid *id, size_t max_bytes, git_blob **out)
{
	git_odb *odb;
	size_t size;
	git_object_t type;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	*out = NULL;
	git_oid_tostr(hex, sizeof(hex), id);
	if (git_repository_odb(&odb, repo) < 0)
		return clm_git_error(GIT_ERROR, "cannot open the object database");
	rc = git_odb_read_header(&size, &type, odb, id);
	git_odb_free(odb);
	if (rc == GIT_ENOTFOUND)
		return clm_error_set(CLM_ENOTFOUND, "object %s is missing", hex);
	if (rc < 0)
		return clm_git_error(GIT_ERROR, "%s", hex);
	if (type != GIT_OBJECT_BLOB)
		return clm_error_set(CLM_EINVALID, "object %s is not a blob", hex);
	if (size > max_bytes)
		return 1;
	rc = git_blob_lookup(out, repo, id);
	if (rc == GIT_ENOTFOUND)
		return clm_error_set(CLM_ENOTFOUND, "object %s is missing", hex);
	return rc < 0 ? clm_git_error(GIT_ERROR, "%s", hex) : 0;
}

int clm_blob_is_binary(const char *data, size_t len)
{
	return memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
}

int clm_path_is_hostile(const char *path)
{
	const char *p = path;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)) ||
		    (n == 4 && !strncasecmp(p, ".git", 4)))
			return 1;
		if (!slash)
			return 0;
		p = slash + 1;
	}
}
