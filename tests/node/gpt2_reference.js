// Independent GPT-2 token ids for tests/unit/test_tok_gpt2.c: tiktoken's r50k_base (GPT-2's
// encoding) applied to a fixed and a seeded random sample. Prints one JSON object per line:
// {"name", "hex" (the input bytes), "ids"}. Files named on the command line are samples too.
//
// Invalid UTF-8: tiktoken encodes strings only. Our tokenizer makes every byte that is not part
// of valid UTF-8 a piece of its own, so a sample built from valid segments and bad bytes is
// expected to encode as the concatenation of tiktoken's ids of each valid segment and
// tiktoken's own single-byte token of each bad byte (encode_single_token).
"use strict";
const fs = require("fs");
const { get_encoding } = require("tiktoken");

const enc = get_encoding("r50k_base");
const out = [];

function idsOf(rawParts) {
	const ids = [], bytes = [], parts = [];
	for (const p of rawParts) { // adjacent strings are one text
		if (typeof p === "string" && typeof parts[parts.length - 1] === "string")
			parts[parts.length - 1] += p;
		else
			parts.push(p);
	}
	for (const p of parts) {
		if (typeof p === "string") {
			ids.push(...enc.encode_ordinary(p));
			bytes.push(...Buffer.from(p, "utf8"));
		} else {
			for (const b of p) {
				ids.push(enc.encode_single_token(new Uint8Array([b])));
				bytes.push(b);
			}
		}
	}
	return { hex: Buffer.from(bytes).toString("hex"), ids };
}

function add(name, ...parts) {
	out.push({ name, ...idsOf(parts) });
}

add("english", "The quick brown fox jumps over the lazy dog. It's 12:30, isn't it? We'll see; they've gone.");
add("contractions", "I'm you're he's we'd THEY'LL 'S 's's ''s don't can't 'tis O'Neil'd");
add("python", "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nprint([fib(i) for i in range(10)])\n");
add("c", "int main(int argc, char **argv)\n{\n\tfor (int i = 0; i < argc; i++)\n\t\tprintf(\"%s\\n\", argv[i]);\n\treturn 0;\n}\n");
add("js", "const x = async (a, b) => { await fetch(`/api/${a}?q=${b}`); return a ?? b; }; // done\r\n");
add("numbers", "0 1 12 123 1234 12345 3.14159 1e-10 0xdeadBEEF 1_000_000 ٣٤٥ ²³ Ⅻ 一二三");
add("unicode", "café naïve résumé Straße Ελληνικά русский язык العربية עברית हिन्दी 日本語 中文 한국어 ไทย");
add("emoji", "👍 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ 🙂🙃 ☕️ 🤖! a🎉b 😀😀😀");
add("tabs", "\tone\n\t\ttwo\n\t \t three\t\t\t\n");
add("spaces", " ".repeat(300) + "x" + " ".repeat(17) + "\n" + " ".repeat(64));
add("blank lines", "\n\n\n\n  \n\n\t\n \n\r\n\r\n");
add("unicode spaces", "a\u00a0b\u2003c\u3000d\u2028e\u2029f\u202fg\u205fh\u1680i\u2000\u200aj \u00a0 k");
add("nel and mongolian", "a\u0085b \u0085 c\u180ed \u180e e\u000bf\u000cg");
add("controls and nul", "a\u0000b\u0001\u0002 \u0000\u0000 c\u001fd\u007f");
add("punctuation", "!!! ??? ... --- === +++ *** ### @@@ $$$ %%% ^^^ &&& ||| ~~~ ``` ''' \"\"\" <<<>>> [[]] {{}} (())");
add("mixed scripts", "αβγ123abc АБВ456 文字789 ✓✗ → ← ⇒ ∀x∈S: f(x)≥0");
add("combining marks", "e\u0301 a\u0300\u0301\u0302 \u0301\u0301 n\u0303o ह\u093f\u0928");
add("special text is ordinary", "<|endoftext|> is not special here <|endoftext|>");
add("invalid bytes", "abc", [0xff], "def", [0xfe, 0xfd], " ghi ", [0x80], "jkl");
add("invalid sequences", "x", [0xc0, 0x80], "y ", [0xed, 0xa0, 0x80], " z", [0xf4, 0x90, 0x80, 0x80], "€", [0xe2, 0x82], "!");
add("truncated at end", "end of text \u20ac", [0xe2, 0x82]);
add("invalid next to spaces", "a  ", [0x9f], "  b\t", [0xc1], "\t", [0xf8]);
add("invalid only", [0x80, 0x81, 0xfe, 0xff, 0xc0, 0xf5]);
add("invalid then emoji", [0xf0, 0x9f, 0x98], "😀", [0xbf], "é");
add("empty");

// Seeded random samples from a pool that stresses the pattern's classes.
let seed = 0x2545f491;
function rand(n) {
	seed ^= seed << 13; seed >>>= 0;
	seed ^= seed >>> 17;
	seed ^= seed << 5; seed >>>= 0;
	return seed % n;
}
const pool = [
	..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
	..." \t\n\r\u000b\u000c\u00a0\u2003\u3000\u0085\u2028",
	..."'sltvdmre'!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~",
	..."éßøñçÅЖжΩπ中文日本語한글ไทยעבר٣²Ⅻ\u0301\u093f",
	"😀", "👍🏽", "‍", "️", "🇫", "\u0000", "\u001f", "\u007f",
];
const bad = [[0x80], [0xbf], [0xc0], [0xc1], [0xf5], [0xff], [0xe2, 0x82], [0xf0, 0x9f], [0xed, 0xa0, 0x80], [0xc0, 0xaf]];
for (let i = 0; i < 400; i++) {
	const parts = [];
	const n = 1 + rand(6);
	for (let j = 0; j < n; j++) {
		let s = "";
		const len = rand(40);
		for (let k = 0; k < len; k++)
			s += pool[rand(pool.length)].repeat(rand(8) === 0 ? 1 + rand(12) : 1);
		parts.push(s);
		if (i % 2 && j + 1 < n)
			parts.push(bad[rand(bad.length)]);
	}
	add("random " + i, ...parts);
}

for (const file of process.argv.slice(2))
	add("file " + file, fs.readFileSync(file, "utf8"));

for (const o of out)
	process.stdout.write(JSON.stringify(o) + "\n");
enc.free();
