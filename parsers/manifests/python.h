/* Python manifests (internal): PEP 508 requirement strings and the per-format readers. */
#ifndef CLM_PARSERS_MANIFESTS_PYTHON_H
#define CLM_PARSERS_MANIFESTS_PYTHON_H

#include "parsers/manifests/common.h"

/* Parse one PEP 508 requirement ("requests[socks]>=2.31,<3; python_version>'3.8'") and append
 * it to `out` under `group`, with its name normalised as PyPI does (PEP 503). CLM_EINVALID with
 * "path:line" when it is not a requirement. */
int clm_pypi_add_requirement(const char *path, size_t line, struct clm_span req, const char *group,
			     struct clm_dep_list *out);

/* Non-zero when `name` is a PEP 508 project name (letters, digits, ".", "-", "_", starting and
 * ending with a letter or digit). */
int clm_pypi_valid_name(const char *name);

/* Append a dependency given as name and version spec (Poetry, Pipfile): the name is normalised
 * and "*" means unversioned. */
int clm_pypi_add_named(const char *name, const char *spec, const char *group,
		       struct clm_dep_list *out);

/* pyproject.toml: [project] dependencies and optional-dependencies (or setuptools' dynamic
 * files, read through `read`), [dependency-groups], [build-system] requires, [tool.poetry]
 * dependency tables and groups. */
int clm_pypi_parse_pyproject(const char *path, const char *data, size_t len,
			     clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out);

/* Pipfile: [packages] and [dev-packages]. */
int clm_pypi_parse_pipfile(const char *path, const char *data, size_t len,
			   struct clm_dep_list *out);

/* setup.py: literal install_requires, setup_requires, tests_require, extras_require of setup(). */
int clm_pypi_parse_setup_py(const char *path, const char *data, size_t len,
			    struct clm_dep_list *out);

/* setup.cfg: [options] install_requires etc. and [options.extras_require]; "file:" values
 * are read through `read`. */
int clm_pypi_parse_setup_cfg(const char *path, const char *data, size_t len,
			     clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out);

/* requirements*.txt, following -r includes through `read`. */
int clm_pypi_parse_requirements(const char *path, const char *data, size_t len,
				clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out);

/* Requirements from the file `rel` of the tree (relative to the folder of `path`), as
 * setuptools' "file:" values name them; a file that is absent adds nothing. */
int clm_pypi_add_file(const char *path, const char *rel, const char *group,
		      clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out);

#endif
