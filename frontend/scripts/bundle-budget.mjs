// First-load JavaScript budget: the gzip size of every script index.html loads, at most 200 KB.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 200 * 1024;
const html = readFileSync("dist/index.html", "utf8");
const scripts = [
  ...html.matchAll(/<script[^>]+src="\/([^"]+)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g),
].map((m) => m[1]);
let total = 0;
for (const path of scripts) {
  const size = gzipSync(readFileSync(`dist/${path}`)).length;
  total += size;
  console.log(`${path}: ${(size / 1024).toFixed(1)} KB gzip`);
}
console.log(`first-load JavaScript: ${(total / 1024).toFixed(1)} KB gzip (budget ${BUDGET / 1024} KB)`);
if (scripts.length === 0 || total > BUDGET) {
  console.error(scripts.length === 0 ? "no script found in dist/index.html" : "over the budget");
  process.exit(1);
}
