// Encode texts with Hugging Face's own tokenizers.js from a tokenizer.json we wrote, so
// tests/unit/test_tok_gpt2.c can check that our files mean the same thing to Hugging Face tools.
// Usage: node hf_check.js <tokenizer.json> <texts.json (array of strings)>; prints a JSON array
// of {"ids", "decoded"} per text.
"use strict";
const fs = require("fs");
const { Tokenizer } = require("@huggingface/tokenizers");

const tokenizer = new Tokenizer(JSON.parse(fs.readFileSync(process.argv[2], "utf8")), {});
const texts = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const out = texts.map((t) => {
	const ids = tokenizer.encode(t, { add_special_tokens: false }).ids.map(Number);
	return { ids, decoded: tokenizer.decode(ids) };
});
process.stdout.write(JSON.stringify(out) + "\n");
