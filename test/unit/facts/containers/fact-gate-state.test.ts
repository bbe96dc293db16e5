// The gate-state fact: its parser on output recorded from the real script (docker 20.10.24), and its refusals.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gateStateCmd, parseGateState } from '../../../../src/facts/containers/gate-state.js';

// recorded with a container whose healthcheck passes at once (interval 1s), an absent name and one without healthcheck
const NAMES = ['i19-gate-hc', 'i19-gate-absent', 'i19-gate-plain'];
const recorded = readFileSync(new URL('../../../fixtures/facts/gate-state.txt', import.meta.url), 'utf8');

describe('parseGateState', () => {
  it('reads the host clock, each container, and the end of the first passing check on that clock', () => {
    const g = parseGateState(recorded, NAMES);
    expect(g.now).toBeCloseTo(1796509704.669, 3);
    expect(g.containers.map((c) => [c.state.name, c.state.health ?? null])).toEqual([
      ['i19-gate-hc', 'healthy'],
      ['i19-gate-plain', null],
    ]);
    expect(g.containers[0]?.firstPassAt).toBeCloseTo(1796509700.379, 3);
    expect(g.containers[1]?.firstPassAt).toBeUndefined();
  });

  it('takes the first check that exited 0, and none when docker may have dropped earlier checks (5 kept)', () => {
    const line = recorded.split('\n').find((l) => l.includes('/i19-gate-hc')) ?? '';
    const at = (checks: string): number | undefined => {
      const l = line.replace(/\t\{"checks":.*\}$/, `\t{"checks":${JSON.stringify(checks)}}`);
      return parseGateState(`--now\n1.5\n--containers\n${l}\n--end\n`, ['i19-gate-hc']).containers[0]?.firstPassAt;
    };
    expect(at('1@2026-12-05T22:28:20.000000000Z;0@2026-12-05T22:28:21.250000000Z;0@2026-12-05T22:28:22Z;')).toBe(
      1796509701.25,
    );
    expect(at('1@2026-12-05T22:28:20Z;')).toBeUndefined();
    expect(at('1@a;1@b;1@c;1@d;0@2026-12-05T22:28:22Z;')).toBeUndefined();
  });

  it('refuses a missing clock, a short output and a record without its checks part', () => {
    expect(() => parseGateState(recorded.replace(/--now\n[^\n]*\n/, '--now\nsoon\n'), NAMES)).toThrow(
      'malformed --now section',
    );
    expect(() => parseGateState(recorded, ['a'])).toThrow('expected 1 records, got 3');
    expect(() => parseGateState(recorded.replace(/\t\{"checks[^\n]*/, ''), NAMES)).toThrow('has no checks part');
  });

  it('takes the names as positional arguments', () => {
    expect(gateStateCmd(['a', '-b']).argv.slice(-2)).toEqual(['a', '-b']);
    expect(() => gateStateCmd([''])).toThrow('must not be empty');
  });
});
