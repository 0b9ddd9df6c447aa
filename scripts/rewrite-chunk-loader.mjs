// Rewrites the lazily loaded wasm chunks' loader that `cargo leptos build --split` writes
// (pkg/__wasm_split.<hash>.js) so that every chunk compiles as it downloads.
//
// As built, a chunk that needs another first (the conversation's code needs the part it
// shares with the generative-UI renderer) has both downloads started at once, but its
// own WebAssembly.instantiateStreaming is called only once the other is instantiated:
// its bytes wait, unread, while the first compiles. Rewritten, `const src = fetch(URL);`
// becomes `WebAssembly.compileStreaming(fetch(URL))`, and the instantiation that waited
// instantiates that compiled module, in the same order and with the same result. A
// loader of any other form is left as built, and this says so.
//
//   node scripts/rewrite-chunk-loader.mjs PKG_DIR     rewrites in place, and its .br/.gz
//   node scripts/rewrite-chunk-loader.mjs --test      checks the rewrite on recorded loaders
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const FETCH = "const src = fetch(";
const INSTANTIATE = "(WebAssembly.instantiateStreaming(src, imports));";
const INSTANTIATE_COMPILED =
  "(src.then(async (module) => ({ module, instance: await WebAssembly.instantiate(module, imports) })));";

/** The loader with each chunk compiled as it downloads; null unless every chunk's fetch
 * and instantiation were found. */
export function compileWhileDownloading(js) {
  let fetches = 0;
  let instantiations = 0;
  const out = js.split(/(?<=\n)/).map((line) => {
    const text = line.replace(/[\r\n]+$/, "");
    const code = text.trimStart();
    const indent = text.slice(0, text.length - code.length);
    if (code.startsWith(FETCH) && code.endsWith(");")) {
      fetches++;
      const url = code.slice(FETCH.length, -2);
      return (
        `${indent}const src = WebAssembly.compileStreaming(fetch(${url}));\n` +
        `${indent}// Awaited once what this chunk needs is loaded; a failure surfaces there.\n` +
        `${indent}src.catch(() => {});\n`
      );
    }
    if (code.includes(INSTANTIATE)) {
      instantiations++;
      return line.replace(INSTANTIATE, INSTANTIATE_COMPILED);
    }
    return line;
  }).join("");
  return fetches > 0 && fetches === instantiations && !out.includes("instantiateStreaming") ? out : null;
}

function rewriteIn(pkgDir) {
  const loaders = fs.readdirSync(pkgDir).filter((f) => /^__wasm_split\..*\.js$/.test(f));
  if (loaders.length === 0) {
    console.log("[chunk loader] none in", pkgDir, "(a build without --split)");
    return;
  }
  for (const name of loaders) {
    const file = path.join(pkgDir, name);
    const rewritten = compileWhileDownloading(fs.readFileSync(file, "utf8"));
    if (rewritten === null) {
      console.warn(`[chunk loader] ${name} is not of the form known (cargo-leptos 0.3's): left as built`);
      continue;
    }
    fs.writeFileSync(file, rewritten);
    // Compressed copies beside it, which the static file service sends to browsers
    // that accept them (replacing any the build made of the file as it was).
    fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(rewritten));
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(rewritten, { level: 9 }));
    console.log(`[chunk loader] ${name}: chunks compile as they download`);
  }
}

function test() {
  const assert = (ok, what) => {
    if (!ok) throw new Error(`chunk loader rewrite: ${what}`);
  };
  const fixtures = new URL("../tests/fixtures/wasm_split/", import.meta.url);
  const chunks = (s) => [...s.matchAll(/\/([^/"]+)\.wasm"/g)].map((m) => m[1]);
  for (const name of ["release.js", "debug.js"]) {
    const built = fs.readFileSync(new URL(name, fixtures), "utf8");
    const js = compileWhileDownloading(built);
    assert(js !== null, `${name}: the form is known`);
    assert(!js.includes("instantiateStreaming"), `${name}: nothing instantiated from the stream`);
    assert(js.split("WebAssembly.compileStreaming(fetch(new URL(").length - 1 === 3, `${name}: three chunks compiled`);
    assert(js.split("await WebAssembly.instantiate(module, imports)").length - 1 === 3, `${name}: three instantiated`);
    assert(JSON.stringify(chunks(js)) === JSON.stringify(chunks(built)), `${name}: the same chunks, in order`);
    assert(js.includes("await Promise.all(parallelStuff);"), `${name}: dependencies still awaited first`);
    assert(js.split("\n").length === built.split("\n").length + 2 * 3, `${name}: nothing else changed`);
  }
  const debug = compileWhileDownloading(fs.readFileSync(new URL("debug.js", fixtures), "utf8"));
  assert(debug.includes("=> debugWrap(src.then(async (module) =>"), "the debug build's check still sees errors");
  const release = fs.readFileSync(new URL("release.js", fixtures), "utf8");
  assert(compileWhileDownloading("") === null, "an empty loader is left alone");
  assert(compileWhileDownloading(release.replace("instantiateStreaming(src, imports)", "instantiate(src)")) === null, "another form is left alone");
  const half = release.replace(
    "return async (imports) => (WebAssembly.instantiateStreaming(src, imports));",
    "return async (imports) => load(src, imports);",
  );
  assert(compileWhileDownloading(half) === null, "a fetch without its instantiation is not half rewritten");
  console.log("[chunk loader] rewrite checks passed");
}

const arg = process.argv[2];
if (arg === "--test") test();
else if (arg) rewriteIn(arg);
else {
  console.error("usage: node scripts/rewrite-chunk-loader.mjs PKG_DIR | --test");
  process.exit(2);
}
