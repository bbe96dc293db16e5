// The second step of `make build`, after tsc: bundles the compiled CLI and the `rig` API (dist/src/, which keeps the
// declarations editors and role type checks use) into dist/bundle/, so a run loads a few files instead of ~300 of
// rig's plus its packages' (`make bench` measures the difference). ssh2 stays a package (it loads optional native
// code), and so do the two packages rig requires lazily. Each file is written only when its bytes changed, through a
// temp file and a rename: a rig starting while a test rebuilds never reads a half-written module.
// Usage: node scripts/build-bundle.mjs
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rolldown } from 'rolldown';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist', 'bundle');

// Handlebars builds the code of each compiled template out of the `source-map` package's SourceNodes when that package
// resolves; only a compile asked for a source map of the template (`srcName`) reads them, and rig never asks. Without
// it Handlebars joins strings instead: the same template code, a compile a third to a half cheaper, and 11 modules fewer
// to load (README, Benchmarks: "What rig costs before its first connection").
const NO_SOURCE_MAP = '\0rig:handlebars-without-source-map';
const handlebarsWithoutSourceMap = {
  name: 'rig:handlebars-without-source-map',
  resolveId(source, importer) {
    return source === 'source-map' && importer?.includes(`${path.sep}node_modules${path.sep}handlebars${path.sep}`)
      ? NO_SOURCE_MAP
      : null;
  },
  load(id) {
    return id === NO_SOURCE_MAP ? 'export {};' : null;
  },
};

const bundle = await rolldown({
  cwd: root,
  input: { main: 'dist/src/cli/main.js', index: 'dist/src/index.js' },
  platform: 'node',
  plugins: [handlebarsWithoutSourceMap],
  external: [/^node:/, 'ssh2', 'diff', 'dotenv'],
  // module-hooks.ts: the `rig` roles import is this bundle's index.js (a sibling of every chunk)
  transform: { define: { RIG_BUNDLED: 'true' } },
  logLevel: 'warn',
});
const { output } = await bundle.generate({
  format: 'esm',
  sourcemap: true,
  // stable names: an unchanged module is an unchanged file
  entryFileNames: '[name].js',
  chunkFileNames: '[name].js',
});
await bundle.close();

mkdirSync(out, { recursive: true });
const written = new Set();
for (const item of output) {
  const files = [[item.fileName, item.type === 'chunk' ? item.code : item.source]];
  if (item.type === 'chunk' && item.map) files.push([`${item.fileName}.map`, item.map.toString()]);
  for (const [name, content] of files) {
    written.add(name);
    const file = path.join(out, name);
    const bytes = Buffer.from(content);
    let same = false;
    try {
      same = readFileSync(file).equals(bytes);
    } catch {
      // not there yet
    }
    if (same) continue;
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  }
}
// what an earlier build wrote and this one did not (a concurrent build's temp files are its own)
for (const name of readdirSync(out))
  if (!written.has(name) && !name.endsWith('.tmp')) rmSync(path.join(out, name), { force: true });
