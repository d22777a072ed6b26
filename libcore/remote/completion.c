#include "remote/completion.h"
#include "util/error.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

#define SERVER_TEXT_MAX 200

void clm_completion_delta_init(struct clm_completion_delta *d)
{
	clm_strbuf_init(&d->text);
	d->finish_reason[0] = '\0';
	d->done = 0;
}

void clm_completion_delta_release(struct clm_completion_delta *d)
{
	clm_strbuf_release(&d->text);
}

static int set_or_fail(json_t *obj, const char *key, json_t *value)
{
	return json_object_set_new(obj, key, value) ? clm_error_oom() : 0;
}

int clm_completion_request_json(const struct clm_completion_request *req, struct clm_strbuf *out)
{
	json_t *body, *stop;
	int rc = 0;

	if (!req->prompt)
		return clm_error_set(CLM_EINVALID, "completion request without a prompt");
	if (req->max_tokens <= 0)
		return clm_error_set(CLM_EINVALID, "completion request needs max_tokens > 0");
	body = json_object();
	if (!body)
		return clm_error_oom();
	if (req->model)
		rc = set_or_fail(body, "model", json_string(req->model));
	if (!rc)
		rc = set_or_fail(body, "prompt", json_stringn(req->prompt, strlen(req->prompt)));
	if (!rc)
		rc = set_or_fail(body, "max_tokens", json_integer(req->max_tokens));
	if (!rc)
		rc = set_or_fail(body, "temperature", json_real(req->temperature));
	if (!rc)
		rc = set_or_fail(body, "stream", json_boolean(req->stream));
	if (!rc && req->stop && req->stop[0]) {
		stop = json_array();
		rc = set_or_fail(body, "stop", stop);
		for (size_t i = 0; !rc && req->stop[i]; i++)
			rc = json_array_append_new(stop, json_string(req->stop[i])) ? clm_error_oom() : 0;
	}
	if (!rc)
		rc = clm_json_dump(body, out);
	json_decref(body);
	return rc;
}

/* Copy a server-provided string into a message, cut and with control bytes replaced, so a
 * hostile server cannot flood or garble the terminal. */
static void sanitize(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; in && *in && n + 1 < size; in++)
		out[n++] = (unsigned char)*in < 0x20 ? ' ' : *in;
	out[n] = '\0';
}

static int parse_error_object(const json_t *err)
{
	const json_t *msg = json_is_object(err) ? json_object_get(err, "message") : NULL;
	char text[SERVER_TEXT_MAX + 1];

	sanitize(json_is_string(msg) ? json_string_value(msg) : json_is_string(err) ? json_string_value(err)
										    : "(no message)",
		 text, sizeof(text));
	return clm_error_set(CLM_EGENERIC, "server error: %s", text);
}

static int parse_choice(const json_t *choice, struct clm_completion_delta *out)
{
	const json_t *text, *finish;

	if (!json_is_object(choice))
		return clm_error_set(CLM_EINVALID, "malformed completion: a choice is not an object");
	text = json_object_get(choice, "text");
	if (text && !json_is_null(text) && !json_is_string(text))
		return clm_error_set(CLM_EINVALID, "malformed completion: choice text is not a string");
	if (json_is_string(text) &&
	    clm_strbuf_add(&out->text, json_string_value(text), json_string_length(text)) < 0)
		return CLM_ENOMEM;
	finish = json_object_get(choice, "finish_reason");
	if (json_is_string(finish))
		sanitize(json_string_value(finish), out->finish_reason, sizeof(out->finish_reason));
	else if (finish && !json_is_null(finish))
		return clm_error_set(CLM_EINVALID, "malformed completion: finish_reason is not a string");
	return 0;
}

int clm_completion_parse(const char *data, size_t len, struct clm_completion_delta *out)
{
	json_t *root, *choices;
	int rc = 0;

	clm_strbuf_reset(&out->text);
	out->finish_reason[0] = '\0';
	out->done = 0;
	if (len == 6 && !memcmp(data, "[DONE]", 6)) {
		out->done = 1;
		return 0;
	}
	root = clm_json_parse(data, len, "completion chunk");
	if (!root)
		return clm_error_wrap(CLM_EINVALID, "malformed completion");
	if (!json_is_object(root)) {
		json_decref(root);
		return clm_error_set(CLM_EINVALID, "malformed completion: not a JSON object");
	}
	if (json_object_get(root, "error")) {
		rc = parse_error_object(json_object_get(root, "error"));
		json_decref(root);
		return rc;
	}
	choices = json_object_get(root, "choices");
	if (!json_is_array(choices))
		rc = clm_error_set(CLM_EINVALID, "malformed completion: no 'choices' array");
	/* Only choice 0 is asked for (n defaults to 1); a final usage-only chunk has none. */
	else if (json_array_size(choices) > 0)
		rc = parse_choice(json_array_get(choices, 0), out);
	json_decref(root);
	return rc;
}

size_t clm_completion_take(const char *text, size_t len, size_t have, int pieces, int max_tokens, int *cut)
{
	size_t max = max_tokens > 0 && (size_t)max_tokens < CLM_COMPLETION_TEXT_MAX / CLM_COMPLETION_TOKEN_BYTES_MAX
			     ? (size_t)max_tokens * CLM_COMPLETION_TOKEN_BYTES_MAX
			     : CLM_COMPLETION_TEXT_MAX;
	size_t take = len;

	*cut = 0;
	if (pieces >= max_tokens || have >= max) {
		*cut = 1;
		return 0;
	}
	if (len > max - have) {
		take = max - have;
		while (take > 0 && ((unsigned char)text[take] & 0xc0) == 0x80)
			take--; /* text[take] exists: take < len */
		*cut = 1;
	}
	return take;
}
