// ssh_config Match blocks, resolved as OpenSSH does: host (after HostName), originalhost, user, localuser, all,
// negation, final; criteria that would run something (exec…) refused with the file:line when they would decide.
import { describe, expect, it } from 'vitest';
import { parseSshConfig, resolveSshHost, type SshConfigLine } from '../../../src/transport/ssh-config.js';

const ctx = { home: '/home/me', localUser: 'me' };
const resolve = (text: string, alias: string): ReturnType<typeof resolveSshHost> =>
  resolveSshHost(parseSshConfig(text, 'cfg'), alias, ctx);
const port = (text: string, alias: string): number | undefined => resolve(text, alias).port;

describe('ssh_config Match', () => {
  it('Match host tests the HostName obtained so far; originalhost the alias as typed', () => {
    const text =
      'Host db\n  HostName db.internal\nMatch host *.internal\n  Port 2201\nMatch originalhost db\n  User dba\n';
    expect(resolve(text, 'db')).toMatchObject({ hostName: 'db.internal', port: 2201, user: 'dba' });
    expect(resolve(text, 'web')).toMatchObject({ hostName: 'web', port: undefined, user: undefined });
    // before any HostName, Match host sees the alias
    expect(port('Match host web-*\n  Port 2202\n', 'web-1')).toBe(2202);
    // pattern lists and case, as for Host
    expect(port('Match host a,WEB-?\n  Port 2203\n', 'web-1')).toBe(2203);
    expect(port('Match host web-?\n  Port 2203\n', 'web-10')).toBeUndefined();
  });

  it('Match user tests the User obtained so far, else the local user; localuser the local user (case-sensitive)', () => {
    expect(port('Match user me\n  Port 2210\n', 'x')).toBe(2210);
    expect(port('Host x\n  User deploy\nMatch user deploy\n  Port 2211\n', 'x')).toBe(2211);
    expect(port('Match user deploy\n  Port 2211\nHost x\n  User deploy\n', 'x')).toBeUndefined();
    expect(port('Match localuser m?\n  Port 2212\n', 'x')).toBe(2212);
    expect(port('Match user ME\n  Port 2213\n', 'x')).toBeUndefined();
  });

  it('every criterion must hold; !criterion negates one; a negated pattern inside the list excludes', () => {
    expect(port('Match host web-* user me\n  Port 2220\n', 'web-1')).toBe(2220);
    expect(port('Match host web-* user root\n  Port 2220\n', 'web-1')).toBeUndefined();
    expect(port('Match !user root\n  Port 2221\n', 'x')).toBe(2221);
    expect(port('Match !host web-*\n  Port 2222\n', 'web-1')).toBeUndefined();
    expect(port('Match host *,!db\n  Port 2223\n', 'db')).toBeUndefined();
    expect(port('Match all\n  Port 2224\n', 'x')).toBe(2224);
  });

  it('first value wins across Host and Match blocks; IdentityFile accumulates', () => {
    const text = 'Match host web-*\n  Port 2230\n  IdentityFile ~/.ssh/a\nHost *\n  Port 22\n  IdentityFile ~/.ssh/b\n';
    expect(resolve(text, 'web-1')).toMatchObject({ port: 2230, identityFiles: ['/home/me/.ssh/a', '/home/me/.ssh/b'] });
  });

  it('Match final matches in a second pass, where Host lines see the resolved HostName', () => {
    const text =
      'Host short\n  HostName long.example\n  IdentityFile ~/.ssh/k\nHost long.example\n  User viahostname\nMatch final host long.*\n  Port 2240\nMatch canonical\n  ConnectTimeout 3\nHost *\n  IdentityFile ~/.ssh/all\n';
    // IdentityFile of a block both passes meet is taken once, as ssh ignores a duplicate
    const keys = ['/home/me/.ssh/k', '/home/me/.ssh/all'];
    expect(resolve(text, 'short')).toMatchObject({
      hostName: 'long.example',
      user: 'viahostname',
      port: 2240,
      connectTimeoutSec: 3,
      identityFiles: keys,
    });
    // without Match final there is no second pass: the HostName's Host block does not apply, canonical never matches
    expect(
      resolve('Host short\n  HostName long.example\nHost long.example\n  User u\nMatch canonical\n  Port 1\n', 'short'),
    ).toMatchObject({ user: undefined, port: undefined });
  });

  it('Match exec is never run: refused with file:line when it would decide, passed over when the line cannot match', () => {
    const text = 'Host *\n  User me\nMatch host web-* exec "touch /tmp/rig-must-not-exist"\n  Port 2250\n';
    expect(() => resolve(text, 'web-1')).toThrow(
      /^cfg:3: Match exec touch \/tmp\/rig-must-not-exist: rig does not evaluate this criterion .* decides for web-1/,
    );
    expect(port(text, 'db-1')).toBeUndefined();
    expect(() => resolve('Match exec true\n  Port 1\n', 'x')).toThrow(/^cfg:1: Match exec true: rig does not evaluate/);
    expect(() => resolve('Match localnetwork 10.0.0.0/8\n  Port 1\n', 'x')).toThrow(/^cfg:1: Match localnetwork/);
  });

  it('a Match line rig cannot read is an error with its location', () => {
    expect(() => resolve('\nMatch host\n', 'x')).toThrow('cfg:2: Match host needs an argument');
    expect(() => resolve('Match\n', 'x')).toThrow('cfg:1: Match needs criteria');
    expect(() => resolve('Match colour blue\n', 'x')).toThrow('cfg:1: Match colour: unknown criterion');
    expect(() => resolve('Match constructor x\n', 'x')).toThrow('cfg:1: Match constructor: unknown criterion');
  });

  it('an Include under a Match applies only when the Match does (and its own Match lines are evaluated)', () => {
    const included = parseSshConfig('Port 2260\nMatch user me\n  User fromincluded\n', 'inc.conf');
    const lines: SshConfigLine[] = parseSshConfig('Match host web-*\n  Include inc.conf\n', 'cfg').map((l) =>
      l.kind === 'include' ? { ...l, included } : l,
    );
    expect(resolveSshHost(lines, 'web-1', ctx)).toMatchObject({ port: 2260, user: 'fromincluded' });
    expect(resolveSshHost(lines, 'db-1', ctx)).toMatchObject({ port: undefined, user: undefined });
    // an Include in a block that does not match is not evaluated at all: its Match exec is not refused
    const refusing = parseSshConfig('Match exec true\n  Port 1\n', 'inc.conf');
    const guarded: SshConfigLine[] = parseSshConfig('Host web-*\n  Include inc.conf\n', 'cfg').map((l) =>
      l.kind === 'include' ? { ...l, included: refusing } : l,
    );
    expect(resolveSshHost(guarded, 'db-1', ctx).port).toBeUndefined();
    expect(() => resolveSshHost(guarded, 'web-1', ctx)).toThrow(/^inc\.conf:1: Match exec true/);
  });
});
