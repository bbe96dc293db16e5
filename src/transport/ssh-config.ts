// ssh_config as data: a pure parser and the OpenSSH resolution of one Host alias (first obtained value wins).
import { evaluateMatch, type MatchSubject } from './ssh-match.js';
import { matchPatternList } from './ssh-pattern.js';

/** One meaningful line of an ssh_config file. `include` lines get their files' lines attached by the loader. */
export type SshConfigLine =
  | { readonly kind: 'host'; readonly patterns: readonly string[]; readonly file: string; readonly line: number }
  | { readonly kind: 'match'; readonly criteria: readonly string[]; readonly file: string; readonly line: number }
  | {
      readonly kind: 'include';
      readonly paths: readonly string[];
      readonly included: readonly SshConfigLine[];
      readonly file: string;
      readonly line: number;
    }
  | {
      readonly kind: 'option';
      readonly keyword: string;
      readonly args: readonly string[];
      readonly file: string;
      readonly line: number;
    };

/** The settings rig uses for one host, after Host/Match blocks and Includes are applied. */
export interface ResolvedSshHost {
  readonly hostName: string;
  readonly port: number | undefined;
  readonly user: string | undefined;
  /** All IdentityFile values in order, `~` and `%d %u %h %r %%` expanded. */
  readonly identityFiles: readonly string[];
  readonly identitiesOnly: boolean;
  /** Raw ProxyJump value (`[user@]host[:port][,…]`), undefined for none. */
  readonly proxyJump: string | undefined;
  readonly connectTimeoutSec: number | undefined;
  /** `ServerAliveInterval` (seconds; 0: none) and `ServerAliveCountMax`: undefined when the config sets none. */
  readonly serverAliveIntervalSec: number | undefined;
  readonly serverAliveCountMax: number | undefined;
}

/** Where token expansion gets its values. */
export interface SshConfigContext {
  readonly home: string;
  readonly localUser: string;
}

/** Parses one file's text; `Keyword value`, `Keyword=value` and double-quoted arguments are accepted. */
export function parseSshConfig(text: string, file: string): SshConfigLine[] {
  const out: SshConfigLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(trimmed);
    const keyword = (m?.[1] ?? trimmed).toLowerCase();
    const args = tokenize(m?.[2] ?? '');
    const line = i + 1;
    if (keyword === 'host') out.push({ kind: 'host', patterns: args, file, line });
    else if (keyword === 'match') out.push({ kind: 'match', criteria: args, file, line });
    else if (keyword === 'include') out.push({ kind: 'include', paths: args, included: [], file, line });
    else out.push({ kind: 'option', keyword, args, file, line });
  });
  return out;
}

function tokenize(s: string): string[] {
  const tokens: string[] = [];
  for (const m of s.matchAll(/"([^"]*)"|(\S+)/g)) tokens.push(m[1] ?? m[2] ?? '');
  return tokens;
}

/**
 * Resolves `alias` as OpenSSH does: lines apply while the last `Host` line (patterns with `*`, `?`, `!`) or `Match`
 * line (all, host, originalhost, user, localuser, final, canonical, each negatable: see ssh-match.ts) matched; the
 * first value obtained for a keyword wins, except IdentityFile which accumulates. `Match final` makes a second pass
 * with the resolved HostName, as ssh does. An Include inside a non-matching block contributes nothing.
 */
export function resolveSshHost(lines: readonly SshConfigLine[], alias: string, ctx: SshConfigContext): ResolvedSshHost {
  const values = new Map<string, OptionLine>();
  const identityFiles: string[] = [];
  const apply = (option: OptionLine): void => {
    const arg = option.args[0];
    // ssh ignores an IdentityFile it already has (a final pass meets the same blocks again)
    if (option.keyword === 'identityfile' && arg !== undefined) {
      if (!identityFiles.includes(arg)) identityFiles.push(arg);
    } else if (!values.has(option.keyword)) values.set(option.keyword, option);
  };
  const first = (k: string): string | undefined => values.get(k)?.args[0];
  const hostNameNow = (): string => expand(first('hostname') ?? '%h', { ...ctx, host: alias, user: '' });
  const subject = (final: boolean, host: string | undefined): MatchSubject => {
    const user = first('user') ?? ctx.localUser;
    return { alias, host: host ?? hostNameNow(), user, localUser: ctx.localUser, final };
  };
  if (walk(lines, { host: alias, subject: () => subject(false, undefined) }, true, apply)) {
    const resolved = hostNameNow();
    walk(lines, { host: resolved, subject: () => subject(true, resolved) }, true, apply);
  }
  const hostName = hostNameNow();
  const user = first('user');
  const port = first('port');
  const tokens = { ...ctx, host: hostName, user: user ?? ctx.localUser };
  const proxyJump = first('proxyjump');
  return {
    hostName,
    port: port === undefined ? undefined : Number(port),
    user,
    identityFiles: identityFiles.filter((f) => f.toLowerCase() !== 'none').map((f) => expand(f, tokens)),
    identitiesOnly: first('identitiesonly')?.toLowerCase() === 'yes',
    proxyJump: proxyJump === undefined || proxyJump.toLowerCase() === 'none' ? undefined : proxyJump,
    connectTimeoutSec: wholeNumber(values.get('connecttimeout'), 'ConnectTimeout'),
    serverAliveIntervalSec: wholeNumber(values.get('serveraliveinterval'), 'ServerAliveInterval'),
    serverAliveCountMax: wholeNumber(values.get('serveralivecountmax'), 'ServerAliveCountMax'),
  };
}

/** An option's whole-number value; anything else is refused, as ssh refuses it, naming the file and line. */
function wholeNumber(option: OptionLine | undefined, name: string): number | undefined {
  const value = option?.args[0];
  if (option === undefined || value === undefined) return undefined;
  if (/^[0-9]{1,9}$/.test(value)) return Number(value);
  throw new Error(`${option.file}:${option.line}: ${name}: expected a whole number, got "${value}"`);
}

/** One pass over the config: what Host lines match against, and what Match lines test. */
interface Pass {
  readonly host: string;
  readonly subject: () => MatchSubject;
}

type OptionLine = Extract<SshConfigLine, { kind: 'option' }>;
type Apply = (option: OptionLine) => void;

/** Applies the matching blocks' options; true when a `Match final` asks for a final pass. */
function walk(lines: readonly SshConfigLine[], pass: Pass, canMatch: boolean, apply: Apply): boolean {
  let active = canMatch;
  let wantsFinal = false;
  for (const l of lines) {
    switch (l.kind) {
      case 'host':
        active = canMatch && matchPatternList(l.patterns, pass.host);
        break;
      case 'match': {
        const r = canMatch ? evaluateMatch(l, pass.subject()) : { matched: false, wantsFinal: false };
        active = r.matched;
        wantsFinal ||= r.wantsFinal;
        break;
      }
      case 'include':
        wantsFinal = walk(l.included, pass, active, apply) || wantsFinal;
        break;
      case 'option':
        if (active) apply(l);
    }
  }
  return wantsFinal;
}

/** Expands `~` and the tokens `%d` (home) `%u` (local user) `%h` (host) `%r` (remote user) `%%`. */
function expand(value: string, t: SshConfigContext & { host: string; user: string }): string {
  const tilde = value === '~' || value.startsWith('~/') ? t.home + value.slice(1) : value;
  const map: Record<string, string> = { d: t.home, u: t.localUser, h: t.host, r: t.user, '%': '%' };
  return tilde.replace(/%([duhr%])/g, (_, c: string) => map[c] ?? '');
}
