#include "util/fileio.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int clm_read_file(const char *path, size_t max_bytes, struct clm_strbuf *out)
{
	struct stat st;
	char chunk[65536];
	ssize_t n;
	size_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return clm_error_set(errno == ENOENT ? CLM_ENOTFOUND : CLM_EIO, "cannot open '%s': %s",
				     path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return clm_error_set(CLM_EINVALID, "'%s' is a directory", path);
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return clm_error_set(CLM_EIO, "cannot read '%s': %s", path, strerror(errno));
		}
		total += (size_t)n;
		if (max_bytes && total > max_bytes) {
			close(fd);
			return clm_error_set(CLM_EINVALID, "'%s' is larger than %zu bytes", path, max_bytes);
		}
		if (clm_strbuf_add(out, chunk, (size_t)n) < 0) {
			close(fd);
			return CLM_ENOMEM;
		}
	}
	close(fd);
	return 0;
}

int clm_temp_create(const char *path, struct clm_strbuf *tmp)
{
	unsigned char r[4];

	for (int attempt = 0; attempt < 16; attempt++) {
		int fd;
		clm_strbuf_reset(tmp);
		if (getentropy(r, sizeof(r)) < 0)
			memset(r, attempt, sizeof(r));
		if (clm_strbuf_addf(tmp, "%s.tmp.%ld.%02x%02x%02x%02x", path, (long)getpid(), r[0], r[1], r[2], r[3]) < 0)
			return CLM_ENOMEM;
		fd = open(tmp->buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			break;
	}
	return clm_error_set(CLM_EIO, "cannot create '%s': %s", tmp->buf, strerror(errno));
}

int clm_write_file_atomic(const char *path, const void *data, size_t len)
{
	struct clm_strbuf tmp = CLM_STRBUF_INIT;
	const char *p = data;
	int fd = clm_temp_create(path, &tmp);

	if (fd < 0) {
		clm_strbuf_release(&tmp);
		return fd;
	}
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp.buf, path) < 0) {
		fd = -1;
		goto fail;
	}
	clm_strbuf_release(&tmp);
	return 0;
fail:;
	int rc = clm_error_set(CLM_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
	clm_strbuf_release(&tmp);
	return rc;
}

int clm_mkdir_p(const char *path, unsigned mode)
{
	char *p = strdup(path), *s;

	if (!p)
		return clm_error_oom();
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				int rc = clm_error_set(CLM_EIO, "cannot create directory '%s': %s", p,
						       strerror(errno));
				free(p);
				return rc;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

int clm_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int clm_read_stdin(struct clm_strbuf *out)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (clm_strbuf_add(out, buf, n) < 0)
			return CLM_ENOMEM;
	return ferror(stdin) ? clm_error_set(CLM_EIO, "cannot read standard input") : 0;
}
