// Imports the repository's TypeScript modules (roles/, smoke-tests/) on Node 20 and 24 alike.
// Why not tsc + dist/: users edit roles like Ansible roles and run at once; fixture projects in tests have roles too.
// So rig transpiles a changed module tree into <root>/.rig/build/ (content-hashed, typescript loaded only on a change)
// and imports the result; under vitest the TypeScript source is imported directly.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Imports `<root>/<rel>` (a .ts path such as `roles/sample/role.ts`), transpiling its top directory when needed. */
export async function importProjectModule(root: string, rel: string): Promise<unknown> {
  const source = path.join(root, rel);
  if (RUNNING_FROM_SOURCE) return import(pathToFileURL(source).href) as Promise<unknown>;
  const top = rel.split(/[\\/]/)[0] ?? rel;
  await transpileTree(root, top);
  const built = path.join(root, '.rig', 'build', rel.replace(/\.ts$/, '.js'));
  return import(pathToFileURL(built).href) as Promise<unknown>;
}

interface Manifest {
  [relPath: string]: string;
}

async function transpileTree(root: string, top: string): Promise<void> {
  const outRoot = path.join(root, '.rig', 'build');
  const manifestPath = path.join(outRoot, `${top}.manifest.json`);
  const manifest: Manifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest) : {};
  const stale: { rel: string; text: string; hash: string }[] = [];
  for (const rel of tsFilesUnder(root, top)) {
    const text = readFileSync(path.join(root, rel), 'utf8');
    const hash = createHash('sha256').update(text).digest('hex');
    if (manifest[rel] !== hash || !existsSync(path.join(outRoot, rel.replace(/\.ts$/, '.js')))) stale.push({ rel, text, hash });
  }
  if (stale.length === 0) return;
  const ts = (await import('typescript')).default;
  for (const { rel, text, hash } of stale) {
    const out = ts.transpileModule(text, {
      fileName: rel,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, verbatimModuleSyntax: true },
    });
    const dest = path.join(outRoot, rel.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, out.outputText);
    manifest[rel] = hash;
  }
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1));
}

function tsFilesUnder(root: string, top: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel))) {
      const r = path.join(rel, e);
      if (statSync(path.join(root, r)).isDirectory()) walk(r);
      else if (e.endsWith('.ts') && !e.endsWith('.d.ts') && !e.endsWith('.test.ts')) out.push(r);
    }
  };
  if (existsSync(path.join(root, top))) walk(top);
  return out;
}
