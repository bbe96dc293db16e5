// The pure planner, table-driven on recorded facts: which steps, and why.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/core/cmd/cmd.js';
import type { DiagnosticsError } from '../../../src/core/errors/diagnostic.js';
import type { Op } from '../../../src/core/desired/op.js';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { guardKey } from '../../../src/plan/plan-commands.js';
import { planHost } from '../../../src/plan/planner.js';
import type { PathState } from '../../../src/facts/files/file-state.js';

const own = { uid: 0, gid: 0, owner: 'root', group: 'root' };
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const file = (path: string, content: string, extra: Partial<Op> = {}): Op =>
  ({
    kind: 'file',
    path,
    content,
    sensitive: false,
    from: undefined,
    origin: undefined,
    notify: [],
    mode: 0o644,
    ...extra,
  }) as Op;
const dir = (path: string, mode = 0o755): Op => ({ kind: 'dir', path, mode, origin: undefined });

function plan(
  ops: Op[],
  facts: Record<string, PathState>,
  guards: Record<string, number> = {},
  before: Record<string, string> = {},
) {
  return planHost({
    host: 'h',
    roleOps: [{ role: 'r', ops, selected: true }],
    facts: new Map(Object.entries(facts)),
    before: new Map(Object.entries(before).map(([k, v]) => [k, Buffer.from(v)])),
    guards: new Map(Object.entries(guards)),
    redactor: new Redactor(),
  }).steps.map((s) => `${s.kind} ${'path' in s ? s.path : 'name' in s ? s.name : s.kind}: ${s.why}`);
}

describe('planHost', () => {
  it.each([
    ['missing dir', [dir('/a')], { '/a': { kind: 'missing', parentDir: true } }, ['mkdir /a: missing']],
    [
      'dir with another mode',
      [dir('/a')],
      { '/a': { kind: 'dir', mode: 0o700, ...own } },
      ['attrs /a: mode 0700 → 0755'],
    ],
    ['dir as wanted', [dir('/a')], { '/a': { kind: 'dir', mode: 0o755, ...own } }, []],
    ['missing file', [file('/a/f', 'x')], { '/a/f': { kind: 'missing', parentDir: true } }, ['write /a/f: missing']],
    [
      'same content, other mode',
      [file('/a/f', 'x')],
      { '/a/f': { kind: 'file', sha256: sha('x'), size: 1, modifiedAt: 0, mode: 0o600, ...own } },
      ['attrs /a/f: mode 0600 → 0644'],
    ],
    [
      'other content',
      [file('/a/f', 'x')],
      { '/a/f': { kind: 'file', sha256: sha('y'), size: 1, modifiedAt: 0, mode: 0o644, ...own } },
      ['write /a/f: content changed'],
    ],
    [
      'owner by uid counts as the same',
      [file('/a/f', 'x', { owner: '0' })],
      { '/a/f': { kind: 'file', sha256: sha('x'), size: 1, modifiedAt: 0, mode: 0o644, ...own } },
      [],
    ],
  ] as [string, Op[], Record<string, PathState>, string[]][])('%s', (_name, ops, facts, expected) => {
    expect(plan(ops, facts)).toEqual(expected);
  });

  it('a new file holding a secret is created 0600 when the role gives no mode; a replaced one keeps its own', () => {
    const modes = (op: Op, fact: PathState) => {
      const steps = planHost({
        host: 'h',
        roleOps: [{ role: 'r', ops: [op], selected: true }],
        facts: new Map([['/a/f', fact]]),
        before: new Map(),
        guards: new Map(),
        redactor: new Redactor(),
      }).steps;
      return steps.map((st) => (st.kind === 'write' ? st.mode : 'none'));
    };
    const noMode = (sensitive: boolean): Op => ({
      kind: 'file',
      path: '/a/f',
      content: 'k=v',
      sensitive,
      from: undefined,
      origin: undefined,
      notify: [],
    });
    const missing: PathState = { kind: 'missing', parentDir: true };
    const present: PathState = { kind: 'file', sha256: sha('old'), size: 3, modifiedAt: 0, mode: 0o640, ...own };
    expect(modes(noMode(true), missing)).toEqual([0o600]);
    expect(modes(file('/a/f', 'k=v', { sensitive: true, mode: 0o640 }), missing)).toEqual([0o640]);
    expect(modes(noMode(true), present)).toEqual([undefined]);
    expect(modes(noMode(false), missing)).toEqual([undefined]);
  });

  it('commands follow their rule; handlers run once, after the role, when notified', () => {
    const ops: Op[] = [
      file('/a/f', 'new', { notify: ['reload'] }),
      { kind: 'command', name: 'init', cmd: sh('true'), when: { creates: '/a/data' }, notify: [], origin: undefined },
      {
        kind: 'command',
        name: 'migrate',
        cmd: sh('true'),
        when: { unless: sh('test -e /a/m') },
        notify: ['reload'],
        origin: undefined,
      },
      {
        kind: 'command',
        name: 'checked',
        cmd: sh('true'),
        when: { unless: sh('true') },
        notify: [],
        origin: undefined,
      },
      { kind: 'handler', name: 'reload', cmd: sh('kill -HUP 1'), origin: undefined },
      { kind: 'handler', name: 'unused', cmd: sh('false'), origin: undefined },
    ];
    const facts: Record<string, PathState> = {
      '/a/f': { kind: 'missing', parentDir: true },
      '/a/data': { kind: 'dir', mode: 0o755, ...own },
    };
    expect(plan(ops, facts, { [guardKey('r', 'migrate')]: 1, [guardKey('r', 'checked')]: 0 })).toEqual([
      'write /a/f: missing',
      'command migrate: check "/bin/sh -c \'test -e /a/m\' sh" exited 1',
      'handler reload: notified by /a/f, migrate',
    ]);
  });

  it('shows the old lines in the diff of an update', () => {
    const steps = planHost({
      host: 'h',
      roleOps: [{ role: 'r', ops: [file('/f', 'a\nb\n')], selected: true }],
      facts: new Map([['/f', { kind: 'file', sha256: sha('a\nc\n'), size: 4, modifiedAt: 0, mode: 0o644, ...own }]]),
      before: new Map([['/f', Buffer.from('a\nc\n')]]),
      guards: new Map(),
      redactor: new Redactor(),
    }).steps;
    expect(steps[0]?.kind === 'write' && steps[0].change.diff).toContain('-c\n+b\n');
  });

  it('reports conflicts all at once: a path declared twice, a file where a directory is, an unknown handler', () => {
    const ops: Op[] = [dir('/a'), dir('/a'), file('/d', 'x', { notify: ['nope'] })];
    try {
      plan(ops, {
        '/a': { kind: 'file', sha256: sha(''), size: 0, modifiedAt: 0, mode: 0o644, ...own },
        '/d': { kind: 'dir', mode: 0o755, ...own },
      });
      expect.unreachable();
    } catch (err) {
      expect((err as DiagnosticsError).diagnostics.map((d) => d.message)).toEqual([
        '/a must be a directory but is a file',
        '/a is declared twice (also at role r)',
        '/d must be a regular file but is a directory',
      ]);
    }
  });

  it("names where each op was declared: a step carries its op's call site, a second declaration names the first's", () => {
    // call sites are formatted only for steps and messages; each must still be its own op's, not the op at hand's
    const at = (line: number) => ({ file: `${process.cwd()}/roles/r/role.ts`, line, col: 5 });
    const { steps } = planHost({
      host: 'h',
      roleOps: [
        {
          role: 'r',
          ops: [{ ...dir('/a'), origin: at(3) }, file('/a/x', 'x', { origin: at(4) })],
          selected: true,
        },
      ],
      facts: new Map(),
      before: new Map(),
      guards: new Map(),
      redactor: new Redactor(),
    });
    expect(steps.map((st) => st.origin)).toEqual(['roles/r/role.ts:3:5', 'roles/r/role.ts:4:5']);
    try {
      plan(
        [
          { ...dir('/b'), origin: at(7) },
          { ...dir('/b'), origin: at(9) },
        ],
        {},
      );
      expect.unreachable();
    } catch (err) {
      expect((err as DiagnosticsError).diagnostics.map((d) => [d.message, d.loc?.line])).toEqual([
        ['/b is declared twice (also at roles/r/role.ts:7:5)', 9],
      ]);
    }
  });
});
