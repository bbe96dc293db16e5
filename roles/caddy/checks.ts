// Pure checks of role caddy: the typed vhosts before rendering, and the VPN ACL of a rendered Caddyfile (REX-33/34).
// The Caddyfile check reads text, so it works as well on a file read back from a host as on rig's own rendering.

/** A problem of a variable, at its path (`['caddy_vhosts', 1, 'upstream']`). */
export interface VarFinding {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A problem of a Caddyfile, at its 1-based line. */
export interface TextFinding {
  readonly line: number;
  readonly message: string;
}

/** What the vhost checks read of one vhost. */
export interface VhostInput {
  readonly host: string;
  readonly upstream: string;
  readonly vpn_only: boolean;
  readonly http1_only?: boolean;
}

/** The ranges every VPN ACL must let in: the VPN (Tailscale/Headscale 100.64.0.0/10) and the Docker frontend subnet. */
export interface AclRanges {
  readonly vpn: string;
  readonly frontend: string;
}

const UPSTREAM = /^[A-Za-z0-9][A-Za-z0-9_.-]*:(\d{1,5})$/;
const UPSTREAM_HINT = 'a vhost proxies to "<service>:<port>" (a compose service name and its port, as grafana:3000)';
const REX34 = 'every VPN ACL lists both the VPN CIDR and the Docker frontend CIDR (docs/lessons.md REX-34)';

/**
 * Every problem of the vhosts against the ACL ranges: empty or malformed upstreams, duplicate hosts, a gate with no
 * range.
 */
export function checkVhosts(vhosts: readonly VhostInput[], ranges: AclRanges): VarFinding[] {
  const out: VarFinding[] = [];
  const seen = new Map<string, number>();
  vhosts.forEach((v, i) => {
    const port = UPSTREAM.exec(v.upstream)?.[1];
    if (v.upstream.trim() === '')
      out.push({ path: ['caddy_vhosts', i, 'upstream'], message: `empty: ${UPSTREAM_HINT}` });
    else if (port === undefined || Number(port) < 1 || Number(port) > 65535)
      out.push({
        path: ['caddy_vhosts', i, 'upstream'],
        message: `"${v.upstream}" is not "<service>:<port>": ${UPSTREAM_HINT}`,
      });
    // §10.13 (a WebSocket upstream needs http1_only) is checked on the rendered env, where the upstream's service and
    // its `websocket` flag are known: src/lint/websocket-upstreams.ts
    const first = seen.get(v.host.toLowerCase());
    if (first !== undefined)
      out.push({
        path: ['caddy_vhosts', i, 'host'],
        message: `"${v.host}" is already the host of caddy_vhosts.${first}: Caddy refuses two sites for one address ("ambiguous site definition")`,
      });
    else seen.set(v.host.toLowerCase(), i);
  });
  const gated = vhosts.filter((v) => v.vpn_only).map((v) => v.host);
  if (gated.length > 0 && ranges.vpn === '') {
    out.push({
      path: ['caddy_vpn_cidr'],
      message: `empty, but ${gated.join(', ')} ${gated.length > 1 ? 'are' : 'is'} vpn_only: no VPN client would get in; ${REX34}`,
    });
  }
  if (gated.length > 0 && ranges.frontend === '') {
    out.push({
      path: ['caddy_docker_frontend_cidr'],
      message: `empty, but ${gated.join(', ')} ${gated.length > 1 ? 'are' : 'is'} vpn_only: HTTP/3 through Docker's NAT arrives from the frontend network and would get 403; ${REX34}`,
    });
  }
  return out;
}

/**
 * The VPN ACL of a Caddyfile: every `not remote_ip` / `not client_ip` matcher (site or snippet) must cover both
 * ranges, and every site of `gatedHosts` must answer 403 (`error`/`respond @m 403`) on such a matcher at its top level
 * (imports of snippets expanded).
 */
export function checkVpnAcl(text: string, gatedHosts: readonly string[], ranges: AclRanges): TextFinding[] {
  const parsed = parseCaddyfile(text);
  if ('error' in parsed) return [parsed.error];
  const out = walk(parsed.nodes).flatMap((n) => matcherFindings(n, ranges));
  const snippets = new Map(
    parsed.nodes
      .filter((n) => /^\(.+\)$/.test(n.tokens[0] ?? '') && n.body)
      .map((n) => [n.tokens[0]?.slice(1, -1) ?? '', n.body ?? []]),
  );
  const sites = parsed.nodes.filter((n) => n.body && n.tokens.length > 0 && !/^\(.+\)$/.test(n.tokens[0] ?? ''));
  for (const host of gatedHosts) {
    const site = sites.find((s) => siteHosts(s).includes(host.toLowerCase()));
    if (!site) out.push({ line: 1, message: `${host} is VPN-only but no site block serves it` });
    else if (!isGated(expand(site.body ?? [], snippets, new Set()))) {
      out.push({
        line: site.line,
        message: `site ${site.tokens.join(' ')} is VPN-only but answers everyone: no "error @m 403" on a "not remote_ip" matcher (import vpn_only)`,
      });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/** A line of the Caddyfile (tokens as written, quotes kept) and its block, if it opens one. */
interface Node {
  readonly line: number;
  readonly tokens: readonly string[];
  readonly body?: readonly Node[];
}

const IP_MATCHERS = new Set(['remote_ip', 'client_ip']);
// Caddy's `private_ranges` shorthand (IPv4 part).
const PRIVATE_RANGES = ['192.168.0.0/16', '172.16.0.0/12', '10.0.0.0/8', '127.0.0.0/8'];

function matcherFindings(n: Node, ranges: AclRanges): TextFinding[] {
  return negatedRanges(n).flatMap((listed) => {
    const text = `${n.tokens.join(' ')}${n.body ? ' { … }' : ''}`;
    const missing = [
      ['VPN CIDR', ranges.vpn],
      ['Docker frontend CIDR', ranges.frontend],
    ].filter(([, r]) => r !== '' && !listed.some((l) => covers(l, r ?? '')));
    return missing.map(([what, r]) => ({
      line: n.line,
      message: `"${text}" does not list the ${what} ${r}: ${what === 'VPN CIDR' ? 'VPN clients get 403' : "HTTP/3 through Docker's NAT arrives from that network and gets 403"}; ${REX34}`,
    }));
  });
}

/** The ranges of each negated IP matcher in a named-matcher definition (`@m not remote_ip a b`, block forms too). */
function negatedRanges(def: Node): string[][] {
  if (!def.tokens[0]?.startsWith('@')) return [];
  const lines: Node[] =
    def.tokens.length > 1 ? [{ line: def.line, tokens: def.tokens.slice(1) }] : [...(def.body ?? [])];
  return lines.flatMap((l) => {
    if (l.tokens[0] !== 'not') return [];
    const inner: readonly Node[] = l.tokens.length > 1 ? [{ line: l.line, tokens: l.tokens.slice(1) }] : (l.body ?? []);
    return inner
      .filter((m) => IP_MATCHERS.has(m.tokens[0] ?? ''))
      .map((m) =>
        m.tokens
          .slice(1)
          .filter((t) => t !== 'forwarded')
          .map(unquote),
      );
  });
}

function isGated(nodes: readonly Node[]): boolean {
  const blocked = new Set(nodes.filter((n) => negatedRanges(n).length > 0).map((n) => n.tokens[0]));
  return nodes.some(
    (n) =>
      (n.tokens[0] === 'error' || n.tokens[0] === 'respond') &&
      blocked.has(n.tokens[1]) &&
      n.tokens.slice(2).map(unquote).includes('403'),
  );
}

function expand(
  nodes: readonly Node[],
  snippets: ReadonlyMap<string, readonly Node[]>,
  seen: ReadonlySet<string>,
): Node[] {
  return nodes.flatMap((n) => {
    const name = n.tokens[0] === 'import' ? n.tokens[1] : undefined;
    const body = name === undefined || seen.has(name) ? undefined : snippets.get(name);
    return body ? expand(body, snippets, new Set([...seen, name ?? ''])) : [n];
  });
}

/** `http://a.test:80, b.test` → `['a.test', 'b.test']`. */
function siteHosts(site: Node): string[] {
  return site.tokens
    .join(' ')
    .split(/[\s,]+/)
    .filter((a) => a !== '')
    .map((a) =>
      a
        .replace(/^[a-z]+:\/\//i, '')
        .replace(/[/:].*$/, '')
        .toLowerCase(),
    );
}

function walk(nodes: readonly Node[]): Node[] {
  return nodes.flatMap((n) => [n, ...walk(n.body ?? [])]);
}

/** True when `listed` (CIDR, address or `private_ranges`) contains all of `required`; IPv6 only by equal text. */
function covers(listed: string, required: string): boolean {
  if (listed === required) return true;
  if (listed === 'private_ranges') return PRIVATE_RANGES.some((p) => covers(p, required));
  const [l, r] = [cidr(listed), cidr(required)];
  if (!l || !r || l.bits > r.bits) return false;
  const mask = l.bits === 0 ? 0 : (~0 << (32 - l.bits)) >>> 0;
  return (l.addr & mask) >>> 0 === (r.addr & mask) >>> 0;
}

function cidr(text: string): { addr: number; bits: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  return { addr: octets.reduce((a, o) => a * 256 + o, 0), bits };
}

function unquote(token: string): string {
  return /^(["`]).*\1$/s.test(token) ? token.slice(1, -1).replace(/\\"/g, '"') : token;
}

/** Caddyfile tokens grouped in lines (comments dropped; a quoted token may span lines), then blocks by `{` … `}`. */
function parseCaddyfile(text: string): { nodes: Node[] } | { error: TextFinding } {
  const lines = tokenLines(text);
  const stack: { line: number; tokens: readonly string[]; body: Node[] }[] = [{ line: 0, tokens: [], body: [] }];
  for (const { line, tokens } of lines) {
    const top = stack[stack.length - 1];
    if (!top) break;
    if (tokens.length === 1 && tokens[0] === '}') {
      const done = stack.pop();
      const parent = stack[stack.length - 1];
      if (!done || !parent) return { error: { line, message: 'unbalanced "}": no block to close' } };
      parent.body.push({ line: done.line, tokens: done.tokens, body: done.body });
    } else if (tokens[tokens.length - 1] === '{') stack.push({ line, tokens: tokens.slice(0, -1), body: [] });
    else top.body.push({ line, tokens });
  }
  const [root, ...open] = stack;
  if (open.length > 0)
    return { error: { line: open[open.length - 1]?.line ?? 1, message: 'block not closed: missing "}"' } };
  return { nodes: root?.body ?? [] };
}

function tokenLines(text: string): { line: number; tokens: string[] }[] {
  const out: { line: number; tokens: string[] }[] = [];
  let tokens: string[] = [];
  let tok = '';
  let quote = '';
  let line = 1;
  let start = 1;
  const endToken = (): void => {
    if (tok !== '') tokens.push(tok);
    tok = '';
  };
  const endLine = (): void => {
    endToken();
    if (tokens.length > 0) out.push({ line: start, tokens });
    tokens = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\n') line++;
    if (quote !== '') {
      const escaped = c === '\\' && text.charAt(i + 1) === quote;
      tok += escaped ? `\\${quote}` : c;
      if (escaped) i++;
      else if (c === quote) quote = '';
    } else if (c === '\n') endLine();
    else if (/\s/.test(c)) endToken();
    else if (c === '#' && tok === '') {
      const nl = text.indexOf('\n', i);
      i = (nl === -1 ? text.length : nl) - 1;
    } else {
      if (tok === '' && tokens.length === 0) start = line;
      if (c === '"' || c === '`') quote = c;
      tok += c;
    }
  }
  endLine();
  return out;
}
