// yamlMerge against a host's file: rig's keys set, comments and foreign keys kept, no change when already so.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { YamlMergeOp } from '../../../src/core/desired/op.js';
import { mergeTargets, resolveMerges } from '../../../src/plan/yaml-merge.js';

const HOST_FILE = `# Headscale config (edited by hand, keep my comments)
server_url: https://vpn.example.com
listen_addr: 0.0.0.0:8080
dns:
  magic_dns: true # on purpose
  base_domain: tail.example.com
  override_local_dns: false
`;

const op = (set: Record<string, unknown>, extra: Partial<YamlMergeOp> = {}): YamlMergeOp => ({
  kind: 'yamlMerge',
  path: '/etc/headscale/config.yaml',
  set,
  sensitive: false,
  notify: ['restart headscale'],
  origin: undefined,
  mode: 0o644,
  ...extra,
});

function merge(o: YamlMergeOp, file: string | undefined) {
  const current = new Map(file === undefined ? [] : [[o.path, Buffer.from(file)]]);
  const r = resolveMerges([{ role: 'headscale', ops: [o], selected: true }], current, 'vpn');
  return {
    content: (r.roleOps[0]?.ops[0] as { content?: string } | undefined)?.content,
    problems: r.problems.map((p) => p.message),
    op: r.roleOps[0]?.ops[0],
  };
}

describe('yamlMerge', () => {
  it("sets rig's keys and keeps every comment and every key it does not own", () => {
    const records = [{ name: 'llm.example.com', type: 'A', value: '100.64.0.14' }];
    const r = merge(op({ 'dns.override_local_dns': true, 'dns.extra_records': records }), HOST_FILE);
    expect(r.problems).toEqual([]);
    expect(r.content).toBe(`# Headscale config (edited by hand, keep my comments)
server_url: https://vpn.example.com
listen_addr: 0.0.0.0:8080
dns:
  magic_dns: true # on purpose
  base_domain: tail.example.com
  override_local_dns: true
  extra_records:
    - name: llm.example.com
      type: A
      value: 100.64.0.14
`);
    expect(r.op).toMatchObject({ kind: 'file', mode: 0o644, notify: ['restart headscale'] });
    // the second run: the merged file is what the host has now, and it stays byte for byte
    expect(merge(op({ 'dns.override_local_dns': true, 'dns.extra_records': records }), r.content).content).toBe(
      r.content,
    );
  });

  it('leaves a file whose keys already hold their values byte-identical, even when yaml would format it otherwise', () => {
    const odd = "dns: {override_local_dns: true,   magic_dns: 'yes'}\n";
    expect(merge(op({ 'dns.override_local_dns': true }), odd).content).toBe(odd);
  });

  it('a missing file is an error unless initial content is given; invalid YAML or a non-mapping is never touched', () => {
    expect(merge(op({ a: 1 }), undefined).problems).toEqual([
      '/etc/headscale/config.yaml does not exist on the host: rig only merges its keys into it (give `initial` content to create it)',
    ]);
    expect(merge(op({ 'a.b': 1 }, { initial: '# new\n' }), undefined).content).toBe('# new\n\na:\n  b: 1\n');
    expect(merge(op({ a: 1 }), 'a: [1\n').problems[0]).toMatch(
      /^\/etc\/headscale\/config.yaml on the host is not valid YAML \(.+\): not touched$/,
    );
    expect(merge(op({ a: 1 }), '- just\n- a list\n').problems).toEqual([
      '/etc/headscale/config.yaml on the host is not a YAML mapping: not touched',
    ]);
  });

  it('an empty parent becomes a mapping; a scalar parent is an error; YAML 1.1 booleans stay strings', () => {
    expect(merge(op({ 'dns.override_local_dns': true }), 'dns:\n').content).toBe('dns:\n  override_local_dns: true\n');
    expect(merge(op({ 'dns.override_local_dns': true }), 'dns: 5\n').problems).toEqual([
      '/etc/headscale/config.yaml on the host: cannot set dns.override_local_dns: dns is not a mapping there; not touched',
    ]);
    expect(merge(op({ mode: 'yes' }), 'a: 1\n').content).toBe('a: 1\nmode: "yes"\n');
  });

  it('a value with a whitespace-only line lands byte-exact, and a second run changes nothing', () => {
    const value = '\n \n';
    const first = merge(op({ 'dns.banner': value }), HOST_FILE).content;
    expect((parse(first ?? '') as { dns: { banner: string } }).dns.banner).toBe(value);
    expect(merge(op({ 'dns.banner': value }), first).content).toBe(first);
  });

  it('targets only the selected roles', () => {
    expect(
      mergeTargets([
        { role: 'h', ops: [op({})], selected: true },
        { role: 'x', ops: [op({}, { path: '/other' })], selected: false },
      ]),
    ).toEqual(['/etc/headscale/config.yaml']);
  });
});
