/* Shared by the PyTorch parity tests (test_nn_parity.c, test_nn_llama.c): reading the reference
 * JSON, comparing tensors to it, setting weights and building the batch it describes. */
#ifndef CLM_TEST_PARITY_HELPERS_H
#define CLM_TEST_PARITY_HELPERS_H

#include <math.h>
#include "nn/batch.h"
#include "nn/model.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

/* The JSON file `dir`/`file` (asserts it parses). */
static inline json_t *parity_load_json(const char *dir, const char *file)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, data = CLM_STRBUF_INIT;
	clm_strbuf_addf(&path, "%s/%s", dir, file);
	assert_int_equal(clm_read_file(path.buf, 64 << 20, &data), 0);
	json_t *j = clm_json_parse(data.buf, data.len, file);
	assert_non_null(j);
	clm_strbuf_release(&path);
	clm_strbuf_release(&data);
	return j;
}

/* Largest |a - b| relative to the largest |b| of the tensor. */
static inline double parity_relative_error(const float *a, const json_t *b, size_t n)
{
	double worst = 0, scale = 0;
	assert_int_equal(json_array_size(b), n);
	for (size_t i = 0; i < n; i++)
		scale = fmax(scale, fabs(json_number_value(json_array_get(b, i))));
	for (size_t i = 0; i < n; i++)
		worst = fmax(worst, fabs(a[i] - json_number_value(json_array_get(b, i))));
	return scale > 0 ? worst / scale : worst;
}

/* Overwrite the parameters named in `values` (name -> flat list). */
static inline void parity_set_values(struct clm_gpt *m, const json_t *values)
{
	const char *name;
	const json_t *v;
	json_object_foreach((json_t *)values, name, v) {
		struct clm_param *p = clm_gpt_param(m, name);
		assert_non_null(p);
		assert_int_equal(json_array_size(v), p->n);
		for (size_t k = 0; k < p->n; k++)
			p->w[k] = (float)json_number_value(json_array_get(v, k));
	}
}

/* Add the reference's "batch" examples (tokens, weights, prefix, adapter) to `b`. */
static inline void parity_load_batch(const json_t *ref, struct clm_batch *b)
{
	size_t i;
	const json_t *ex;
	json_array_foreach(json_object_get(ref, "batch"), i, ex) {
		int32_t tok[64], pre[64];
		float wt[64];
		const json_t *t = json_object_get(ex, "tokens"), *pr = json_object_get(ex, "prefix");
		for (size_t k = 0; k < json_array_size(t); k++) {
			tok[k] = (int32_t)json_integer_value(json_array_get(t, k));
			wt[k] = (float)json_number_value(json_array_get(json_object_get(ex, "weights"), k));
		}
		for (size_t k = 0; k < json_array_size(pr); k++)
			pre[k] = (int32_t)json_integer_value(json_array_get(pr, k));
		assert_int_equal(clm_batch_add(b, tok, (int)json_array_size(t), wt, pre, (int)json_array_size(pr),
					       (int)json_integer_value(json_object_get(ex, "adapter"))),
				 0);
	}
}

#endif
