// What `rig rollback` undoes, decided from every host's releases: the last run, on the hosts it changed only.
import { describe, expect, it } from 'vitest';
import type { Release } from '../../../src/release/release-schema.js';
import type { ReleaseList } from '../../../src/release/release-store.js';
import { rollbackScope } from '../../../src/release/rollback-scope.js';

function rel(id: string, createdAt: string, deployId?: string, kind: 'deploy' | 'rollback' = 'deploy'): Release {
  return {
    version: 1,
    id,
    createdAt,
    env: 'prod',
    host: 'h',
    user: 'alice',
    workstation: 'laptop',
    git: null,
    planHash: 'x',
    kind,
    ...(deployId ? { deployId } : {}),
    project: 'p',
    projectDir: '/opt/p',
    files: [],
    dirs: [],
    services: [],
    networks: [],
  };
}

/** Newest first, the first one current. */
const list = (...releases: Release[]): ReleaseList => ({ current: releases[0]?.id, releases });

const A_APP = rel('20261201T070000Z-aaaa', '2026-12-01T07:00:00Z', 'd1');
const A_VPN = rel('20261201T070001Z-bbbb', '2026-12-01T07:00:01Z', 'd1');
const OLD_VPN = rel('20261130T070000Z-cccc', '2026-11-30T07:00:00Z', 'd0');
const B_APP = rel('20261202T070000Z-dddd', '2026-12-02T07:00:00Z', 'd2');

describe('rollbackScope', () => {
  it('undoes the last deploy on the host it changed; a host it did not touch is left alone, whatever it keeps', () => {
    const s = rollbackScope(
      new Map([
        ['app', list(B_APP, A_APP)],
        ['vpn', list(A_VPN, OLD_VPN)],
      ]),
    );
    expect(s.undoes).toBe('d2');
    expect(s.hosts.get('app')).toEqual({ kind: 'rollback', to: A_APP.id, current: B_APP.id });
    expect(s.hosts.get('vpn')).toEqual({
      kind: 'untouched',
      why: `its current release ${A_VPN.id} was made by deploy d1 on 2026-12-01T07:00:01Z, not by the run being undone`,
    });
  });

  it('finds the last deploy by release id when a workstation clock was behind', () => {
    // d2 deployed app and vpn at 07:00; d3 then deployed app alone from a workstation two hours behind: its createdAt
    // says 05:30, before d2's on vpn, but its id on app took the second after d2's release there (newReleaseId)
    const vpn2 = rel('20261202T070000Z-gggg', '2026-12-02T07:00:00Z', 'd2');
    const late = rel('20261202T070001Z-eeee', '2026-12-02T05:30:00Z', 'd3');
    const s = rollbackScope(
      new Map([
        ['app', list(late, B_APP, A_APP)],
        ['vpn', list(vpn2, A_VPN)],
      ]),
    );
    expect(s.undoes).toBe('d3');
    expect(s.hosts.get('app')).toEqual({ kind: 'rollback', to: B_APP.id, current: late.id });
    expect(s.hosts.get('vpn')).toMatchObject({ kind: 'untouched' });
    // within one second, the clock's time decides (the later host listed last: the first would win a tie)
    const sameSecond = rel('20261201T070001Z-ffff', '2026-12-01T07:00:01.500Z', 'd4');
    const tie = new Map([
      ['vpn', list(A_VPN, OLD_VPN)],
      ['app', list(sameSecond, OLD_VPN)],
    ]);
    expect(rollbackScope(tie).undoes).toBe('d4');
  });

  it('takes every host a deploy changed back together', () => {
    const s = rollbackScope(
      new Map([
        ['app', list(A_APP)],
        ['vpn', list(A_VPN, OLD_VPN)],
      ]),
    );
    expect(s.undoes).toBe('d1');
    expect(s.hosts.get('vpn')).toEqual({ kind: 'rollback', to: OLD_VPN.id, current: A_VPN.id });
    expect(s.hosts.get('app')).toEqual({
      kind: 'error',
      why: `only release ${A_APP.id} is kept (made by the run being undone): nothing earlier to roll back to`,
    });
  });

  it('undoes a rollback like a deploy, and treats releases of an earlier rig (no deploy id) each as a run of its own', () => {
    const rb = rel('20261203T070000Z-eeee', '2026-12-03T07:00:00Z', 'r1', 'rollback');
    expect(rollbackScope(new Map([['app', list(rb, B_APP, A_APP)]])).hosts.get('app')).toEqual({
      kind: 'rollback',
      to: B_APP.id,
      current: rb.id,
    });
    const legacyApp = rel('20261204T070000Z-ffff', '2026-12-04T07:00:00Z');
    const legacyVpn = rel('20261204T070002Z-9999', '2026-12-04T07:00:02Z');
    const s = rollbackScope(
      new Map([
        ['app', list(legacyApp, A_APP)],
        ['vpn', list(legacyVpn, A_VPN)],
      ]),
    );
    expect(s.undoes).toBe(`release ${legacyVpn.id}`);
    expect(s.hosts.get('vpn')).toMatchObject({ kind: 'rollback', to: A_VPN.id });
    expect(s.hosts.get('app')?.kind).toBe('untouched');
  });

  it('leaves hosts without releases alone', () => {
    expect(rollbackScope(new Map([['new', list()]])).hosts.get('new')).toEqual({
      kind: 'untouched',
      why: 'no releases here',
    });
  });
});
