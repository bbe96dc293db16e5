// `--secret-var NAME`: values read from stdin, never argv; and the command line as rig records it (names, never
// values).
import { UsageError } from '../../core/errors/errors.js';
import type { CliIo } from '../io.js';

/**
 * The values of `--secret-var` names, from stdin: with one name, all of stdin (one trailing newline dropped); with
 * several, one line each, in the order given. Refused when stdin is a terminal (it would echo the value) or short.
 */
export async function readSecretVars(names: readonly string[], io: CliIo): Promise<{ name: string; value: string }[]> {
  if (names.length === 0) return [];
  // stdin can be read once: commands that load the project more than once (lint, checklist) reuse the values
  const known = read.get(io.stdin);
  if (known) return known;
  const values = await readValues(names, io);
  read.set(io.stdin, values);
  return values;
}

const read = new WeakMap<object, { name: string; value: string }[]>();

async function readValues(names: readonly string[], io: CliIo): Promise<{ name: string; value: string }[]> {
  if (io.stdin.isTTY === true)
    throw new UsageError(
      `--secret-var reads the value from stdin: pipe it in (printf %s "$VALUE" | rig … --secret-var ${names[0]})`,
    );
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8');
  const values = names.length === 1 ? [text.replace(/\r?\n$/, '')] : text.split(/\r?\n/);
  if (values.length < names.length || values.slice(0, names.length).some((v) => v === '')) {
    throw new UsageError(
      `--secret-var ${names.join(', ')}: stdin holds ${values.filter((v) => v !== '').length} value(s) for ${names.length} name(s) (one per line)`,
    );
  }
  return names.map((name, i) => ({ name, value: values[i] as string }));
}

/** `rig deploy --var k=v …` as the lock, the journal and `rig history` record it: `--var k=…`, never the value. */
export function recordedCommand(words: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const inline = /^--var=([^=]*)=/.exec(w);
    if (inline) out.push(`--var=${inline[1]}=…`);
    else if (w === '--var' && i + 1 < words.length) out.push(w, `${(words[++i] as string).split('=')[0]}=…`);
    else out.push(w);
  }
  return out.join(' ');
}
