// Env files written by formatEnvFile, read back by the real compose of the bed's flavor (RIG_TB_COMPOSE, default v2):
// v2 (compose-go's dotenv, the 2.26.1 plugin of rig/target:1) through `config` and a real container's environment;
// v1 (docker-compose 1.29.2, python-dotenv) through `config` and its own env_file reader.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { EnvFileError, formatEnvFile, formatEnvLine } from '../../../src/template/index.js';
import { composeFromEnv } from '../../bed/index.js';
import { envFileReadByV2 } from '../../helpers/docker/envfile-v2.js';

const flavor = composeFromEnv();
const probe = flavor === 'v1' ? await execa('docker-compose', ['version', '--short'], { reject: false }) : undefined;
const skipReason = probe && probe.exitCode !== 0 ? `docker-compose not runnable (${probe.shortMessage})` : undefined;
if (skipReason) console.log(`[skip] envfile-compose: ${skipReason}`);
/** The interpreter named by docker-compose's shebang: the Python (and python-dotenv) compose really runs with. */
const composePython = composeInterpreter();
const pyProbe = await execa(composePython, ['-c', 'import compose.config.environment'], { reject: false });
const pySkipReason =
  pyProbe.exitCode === 0 ? undefined : `compose's Python module not importable (${pyProbe.shortMessage})`;
if (pySkipReason) console.log(`[skip] envfile-compose reader tests: ${pySkipReason}`);

function composeInterpreter(): string {
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    const bin = path.join(d, 'docker-compose');
    if (!existsSync(bin)) continue;
    const first = readFileSync(bin, 'latin1').split('\n', 1)[0] ?? '';
    return first.startsWith('#!') ? (first.slice(2).trim().split(/\s+/)[0] ?? 'python3') : 'python3';
  }
  return 'python3';
}

const dir = mkdtempSync(path.join(tmpdir(), 'rig-envfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `docker-compose config` on a service whose env_file holds `envText`; returns its resolved environment. */
async function composeEnvironment(envText: string): Promise<Record<string, string>> {
  writeFileSync(path.join(dir, 'app.env'), envText);
  writeFileSync(
    path.join(dir, 'compose.yml'),
    'version: "3"\nservices:\n  app:\n    image: busybox\n    env_file: app.env\n',
  );
  const { stdout } = await execa('docker-compose', ['-f', 'compose.yml', 'config'], {
    cwd: dir,
    env: { HOME: dir },
    extendEnv: false,
  });
  const doc = parseYaml(stdout) as { services: { app: { environment?: Record<string, string> } } };
  // `config` re-escapes `$` as `$$` in its output (compose/config/serialize.py); the container gets the single `$`.
  return Object.fromEntries(
    Object.entries(doc.services.app.environment ?? {}).map(([k, v]) => [k, String(v).replaceAll('$$', '$')]),
  );
}

/**
 * The same reading without the `config` YAML output, whose PyYAML (YAML 1.1) serializer turns U+2028/U+0085 into
 * line folds that a YAML 1.2 parser reads differently: compose's own env_file reader, printed as JSON.
 */
async function composeEnvFileReader(envText: string): Promise<Record<string, string>> {
  writeFileSync(path.join(dir, 'app.env'), envText);
  const script =
    'import json,sys\nfrom compose.config.environment import env_vars_from_file\nprint(json.dumps(env_vars_from_file(sys.argv[1], True)))';
  const { stdout } = await execa(composePython, ['-c', script, path.join(dir, 'app.env')], {
    env: { HOME: dir },
    extendEnv: false,
  });
  return JSON.parse(stdout) as Record<string, string>;
}

/** Characters that YAML 1.1 (PyYAML, hence `docker-compose config` output) treats as line breaks. */
const YAML11_BREAKS = /[\u2028\u2029\u0085]/;

const NASTY = [
  'plain',
  '',
  "it's",
  'a "quoted" word',
  '$HOME $$ $',
  '${X',
  '${a:b}',
  '#not-a-comment',
  'x # y',
  'back\\slash',
  'two\\\\backslashes',
  'trail\\',
  'line1\nline2',
  "it's\nmulti",
  'cr\r\nlf',
  `it's "both" \\ here`,
  'a=b=c',
  'ünï 漢字 😀',
  '  padded  ',
  '\ttab',
  'x\u2028y',
  "'",
  '"',
  '`tick`',
  'export X=1',
  'q\\"q',
  "s\\'s",
];
const ALPHABET = [...'ab Z09_\'"$\\{}#=:-\n\r\t`', 'é', '漢', '😀', '\u2028', '\u00a0', '\u0085'];

/** Keeps the values formatEnvFile accepts, keyed K0..Kn. */
function representable(values: readonly string[]): Record<string, string> {
  const ok = values.filter((v) => {
    try {
      formatEnvLine('K', v);
      return true;
    } catch (err) {
      if (err instanceof EnvFileError) return false;
      throw err;
    }
  });
  return Object.fromEntries(ok.map((v, i) => [`K${i}`, v]));
}

describe.runIf(flavor === 'v1')('env files read by docker-compose v1', () => {
  it.skipIf(skipReason !== undefined)('`docker-compose config` reads back every awkward value exactly', async () => {
    const values = NASTY.filter((v) => !YAML11_BREAKS.test(v));
    const entries = representable(values);
    expect(Object.keys(entries).length).toBe(values.length);
    expect(await composeEnvironment(formatEnvFile(entries))).toEqual(entries);
  });

  it.skipIf(pySkipReason !== undefined)(
    "compose's env_file reader reads back all of them, Unicode line separators included",
    async () => {
      const entries = representable(NASTY);
      expect(Object.keys(entries).length).toBe(NASTY.length);
      expect(await composeEnvFileReader(formatEnvFile(entries))).toEqual(entries);
    },
  );

  it.skipIf(skipReason !== undefined || pySkipReason !== undefined)(
    'reads back 400 generated values exactly (one file per reader)',
    async () => {
      const gen = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 14 }).map((cs) => cs.join(''));
      const entries = representable(fc.sample(gen, { numRuns: 400, seed: 20240611 }));
      expect(Object.keys(entries).length).toBeGreaterThan(200);
      expect(await composeEnvFileReader(formatEnvFile(entries))).toEqual(entries);
      const yamlSafe = Object.fromEntries(Object.entries(entries).filter(([, v]) => !YAML11_BREAKS.test(v)));
      expect(await composeEnvironment(formatEnvFile(yamlSafe))).toEqual(yamlSafe);
    },
  );

  it.skipIf(skipReason !== undefined)(
    'really expands ${...} even in single quotes, which is why such values are refused',
    async () => {
      expect(() => formatEnvFile({ A: '${HOME}' })).toThrow(EnvFileError);
      expect(await composeEnvironment("A='${NOPE_UNSET}x'\n")).toEqual({ A: 'x' });
    },
  );
});

describe.runIf(flavor === 'v2')('env files read by Compose v2 (compose-go)', () => {
  // made in beforeAll: vitest runs a skipped describe's body too (to list its tests), and this copies the plugin out
  let v2: ReturnType<typeof envFileReadByV2>;
  beforeAll(() => {
    v2 = envFileReadByV2(dir);
  });
  afterAll(() => v2?.remove());

  it('`docker compose config` and a created container read back every awkward value exactly', async () => {
    const entries = representable(NASTY);
    expect(Object.keys(entries).length).toBe(NASTY.length);
    const text = formatEnvFile(entries);
    expect(await v2.config(text)).toEqual(entries);
    expect(await v2.container(text)).toEqual(entries);
  });

  it('reads back 400 generated values exactly, in `config` and in the container', async () => {
    const gen = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 14 }).map((cs) => cs.join(''));
    const entries = representable(fc.sample(gen, { numRuns: 400, seed: 20240611 }));
    expect(Object.keys(entries).length).toBeGreaterThan(200);
    const text = formatEnvFile(entries);
    expect(await v2.config(text)).toEqual(entries);
    expect(await v2.container(text)).toEqual(entries);
  });

  it('expands ${...} unquoted, not single-quoted (v1 does both): one more reason such values are refused', async () => {
    expect(() => formatEnvFile({ A: '${HOME}' })).toThrow(EnvFileError);
    expect(await v2.config("A='${NOPE_UNSET}x'\nB=${NOPE_UNSET}y\n")).toEqual({ A: '${NOPE_UNSET}x', B: 'y' });
  });
});
