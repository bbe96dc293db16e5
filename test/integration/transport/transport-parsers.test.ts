// Pure parts of the transport (no sshd): ssh_config resolution, known_hosts lookup, patterns, ProxyJump specs.
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostKeyAlgorithms } from '../../../src/transport/host-keys/host-key-algorithms.js';
import {
  checkHostKey,
  fingerprint,
  knownHostsName,
  parseKnownHosts,
} from '../../../src/transport/host-keys/known-hosts.js';
import { parseSshConfig, resolveSshHost } from '../../../src/transport/ssh-config.js';
import { loadSshConfig } from '../../../src/transport/ssh-config-load.js';
import { defaultSshOptions } from '../../../src/transport/ssh-defaults.js';
import { parseJumpSpec, planEndpoints } from '../../../src/transport/ssh-endpoint.js';
import { matchGlob, matchPatternList } from '../../../src/transport/ssh-pattern.js';

const ctx = { home: '/home/me', localUser: 'me' };

describe('ssh patterns', () => {
  it.each([
    ['*', 'anything', true],
    ['web-?', 'web-1', true],
    ['web-?', 'web-10', false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['WEB', 'web', true],
  ])('%s ~ %s = %s', (p, t, expected) => {
    expect(matchGlob(p, t)).toBe(expected);
  });

  it('applies negation over the whole list', () => {
    expect(matchPatternList(['*.prod', '!db.prod'], 'web.prod')).toBe(true);
    expect(matchPatternList(['*.prod', '!db.prod'], 'db.prod')).toBe(false);
    expect(matchPatternList(['!db.prod'], 'web.prod')).toBe(false);
  });
});

describe('ssh_config', () => {
  const text = `
# comment
Host web-* !web-9
  User deploy
  Port 2200
  IdentityFile ~/.ssh/web_%h
Host web-1
  HostName 10.0.0.1
  User ignored-because-first-wins
  ProxyJump bastion
Host bastion
  HostName=bastion.example.com
  User jumper
Host *
  User fallback
  IdentityFile "%d/.ssh/id with space"
  IdentitiesOnly yes
  ConnectTimeout 7
  ServerAliveInterval 30
  ServerAliveCountMax 5
`;
  const lines = parseSshConfig(text, 'cfg');

  it('resolves first-obtained values and accumulates IdentityFile', () => {
    expect(resolveSshHost(lines, 'web-1', ctx)).toEqual({
      hostName: '10.0.0.1',
      port: 2200,
      user: 'deploy',
      identityFiles: ['/home/me/.ssh/web_10.0.0.1', '/home/me/.ssh/id with space'],
      identitiesOnly: true,
      proxyJump: 'bastion',
      connectTimeoutSec: 7,
      serverAliveIntervalSec: 30,
      serverAliveCountMax: 5,
    });
  });

  it('takes ServerAliveInterval 0 (no keepalives) and refuses a number of seconds or times that is no whole number at its line', () => {
    const r = resolveSshHost(parseSshConfig('Host a\n  ServerAliveInterval 0\n', 'cfg'), 'a', ctx);
    expect([r.serverAliveIntervalSec, r.serverAliveCountMax]).toEqual([0, undefined]);
    const bad = parseSshConfig('Host a\n  ServerAliveCountMax=3\nHost *\n  ServerAliveInterval 15s\n', 'cfg');
    expect(() => resolveSshHost(bad, 'a', ctx)).toThrow(
      'cfg:4: ServerAliveInterval: expected a whole number, got "15s"',
    );
    expect(() => resolveSshHost(parseSshConfig('Host a\n  ConnectTimeout 5s\n', 'cfg'), 'a', ctx)).toThrow(
      'cfg:2: ConnectTimeout: expected a whole number, got "5s"',
    );
    // a host the bad line does not apply to is not refused for it
    expect(resolveSshHost(parseSshConfig('Host b\n  ServerAliveInterval x\n', 'cfg'), 'a', ctx).hostName).toBe('a');
  });

  it('honours negated Host patterns and defaults HostName to the alias', () => {
    const r = resolveSshHost(lines, 'web-9', ctx);
    expect([r.hostName, r.user, r.port]).toEqual(['web-9', 'fallback', undefined]);
  });

  it('plans ProxyJump hops through ssh_config, inventory values winning', () => {
    const eps = planEndpoints({ name: 'app', host: 'web-1', user: 'root' }, lines, ctx);
    expect(eps.map((e) => `${e.name} ${e.user}@${e.hostName}:${e.port}`)).toEqual([
      'bastion jumper@bastion.example.com:22',
      'app root@10.0.0.1:2200',
    ]);
  });

  it('parses ProxyJump elements', () => {
    expect(parseJumpSpec('u@h:2222')).toEqual({ spec: 'u@h:2222', host: 'h', port: 2222, user: 'u' });
    expect(parseJumpSpec('ssh://[::1]:22')).toEqual({ spec: '[::1]:22', host: '::1', port: 22, user: undefined });
    expect(() => parseJumpSpec('')).toThrow(/invalid ProxyJump/);
  });

  it('follows Include with globs, only inside a matching block', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'rig-sshcfg-'));
    await mkdir(path.join(home, '.ssh', 'conf.d'), { recursive: true });
    await writeFile(path.join(home, '.ssh', 'conf.d', 'a.conf'), 'Host inc\n  HostName included.example\n');
    await writeFile(path.join(home, '.ssh', 'conf.d', 'b.conf'), 'Host *\n  Port 2022\n');
    await writeFile(
      path.join(home, '.ssh', 'config'),
      'Host other\n  Include conf.d/b.conf\nHost *\n  Include conf.d/*.conf\n',
    );
    const loaded = await loadSshConfig(path.join(home, '.ssh', 'config'), home);
    const inc = resolveSshHost(loaded, 'inc', { home, localUser: 'me' });
    expect([inc.hostName, inc.port]).toEqual(['included.example', 2022]);
    expect(await loadSshConfig(path.join(home, 'missing'), home)).toEqual([]);
  });

  it('follows Include under a Match block, whose included Match lines are evaluated too', async () => {
    const home = await sshHome({
      'conf.d/prod.conf': 'Match user me\n  Port 2022\nHost *\n  User deployer\n',
      'conf.d/exec.conf': '\nMatch exec "true"\n  Port 1\n',
      config:
        'Match host *.prod !user root\n  Include conf.d/prod.conf\nMatch host *.lab\n  Include conf.d/exec.conf\n',
    });
    const loaded = await loadSshConfig(path.join(home, '.ssh', 'config'), home);
    expect(resolveSshHost(loaded, 'web.prod', { home, localUser: 'me' })).toMatchObject({
      port: 2022,
      user: 'deployer',
    });
    expect(resolveSshHost(loaded, 'web.prod', { home, localUser: 'root' })).toMatchObject({
      port: undefined,
      user: undefined,
    });
    const at = `${path.join(home, '.ssh', 'conf.d', 'exec.conf')}:2`;
    expect(() => resolveSshHost(loaded, 'web.lab', { home, localUser: 'me' })).toThrow(
      `${at}: Match exec true: rig does not evaluate`,
    );
  });
});

/** A home directory whose `.ssh/` holds `files` (paths relative to it). */
async function sshHome(files: Record<string, string>): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'rig-sshcfg-'));
  for (const [name, text] of Object.entries(files)) {
    const at = path.join(home, '.ssh', name);
    await mkdir(path.dirname(at), { recursive: true });
    await writeFile(at, text);
  }
  return home;
}

describe('known_hosts', () => {
  const key = (n: number): Buffer =>
    Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 1, n])]);
  const line = (hosts: string, n: number): string => `${hosts} ssh-ed25519 ${key(n).toString('base64')}`;
  const salt = Buffer.from('0123456789abcdefghij');
  const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[10.0.0.5]:2222').digest('base64')}`;
  const file = [
    '# comment',
    line('a.example,10.0.0.1', 1),
    line('[10.0.0.2]:2222', 2),
    line('*.wild,!bad.wild', 3),
    line(hashed, 5),
    `@revoked * ssh-ed25519 ${key(9).toString('base64')}`,
    'garbage',
  ].join('\n');
  const entries = parseKnownHosts(file, 'kh');

  it('finds plain, [host]:port, wildcard and hashed entries', () => {
    expect(checkHostKey(entries, knownHostsName('10.0.0.1', 22), key(1)).status).toBe('known');
    expect(checkHostKey(entries, knownHostsName('10.0.0.2', 2222), key(2)).status).toBe('known');
    expect(checkHostKey(entries, knownHostsName('10.0.0.2', 22), key(2)).status).toBe('unknown');
    expect(checkHostKey(entries, 'x.wild', key(3)).status).toBe('known');
    expect(checkHostKey(entries, 'bad.wild', key(3)).status).toBe('unknown');
    expect(checkHostKey(entries, '[10.0.0.5]:2222', key(5)).status).toBe('known');
  });

  it('detects a changed key and a revoked key', () => {
    const v = checkHostKey(entries, 'a.example', key(7));
    expect(v.status).toBe('changed');
    expect(v.status === 'changed' ? v.known.map((e) => `${e.file}:${e.line}`) : []).toEqual(['kh:2']);
    expect(checkHostKey(entries, 'a.example', key(9)).status).toBe('revoked');
  });

  it('a key of another type for a known host is a changed key, not an unknown one (M5)', () => {
    const ecdsa = Buffer.concat([
      Buffer.from([0, 0, 0, 19]),
      Buffer.from('ecdsa-sha2-nistp256'),
      Buffer.from([0, 0, 0, 1, 7]),
    ]);
    const v = checkHostKey(entries, 'a.example', ecdsa);
    expect(v.status).toBe('changed');
    expect(v.status === 'changed' ? v.known.map((e) => `${e.keyType} ${e.file}:${e.line}`) : []).toEqual([
      'ssh-ed25519 kh:2',
    ]);
    expect(checkHostKey(entries, 'never.seen', ecdsa).status).toBe('unknown');
  });

  it('a host named only by a @cert-authority line is reported as such (ssh2 cannot verify host certificates)', () => {
    const withCa = parseKnownHosts(`@cert-authority *.corp ssh-ed25519 ${key(4).toString('base64')}\n`, 'ca');
    const v = checkHostKey(withCa, 'db.corp', key(6));
    expect(v.status === 'cert-authority' ? v.entries.map((e) => `${e.file}:${e.line}`) : v.status).toEqual(['ca:1']);
    expect(checkHostKey(withCa, 'db.elsewhere', key(6)).status).toBe('unknown');
  });

  it('offers only the host key algorithms of the types a host is known by, in a fixed order', () => {
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp256'])).toEqual({ offer: ['ecdsa-sha2-nistp256'], unusable: [] });
    const rsa = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
    expect(hostKeyAlgorithms(['ssh-rsa', 'ssh-ed25519', 'ssh-ed25519'])).toEqual({
      offer: ['ssh-ed25519', ...rsa],
      unusable: [],
    });
    const sk = 'sk-ssh-ed25519@openssh.com';
    expect(hostKeyAlgorithms(['ssh-dss', sk])).toEqual({ offer: [], unusable: ['ssh-dss', sk] });
  });

  it('formats fingerprints as OpenSSH does (unpadded base64)', () => {
    expect(fingerprint(key(1))).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('defaultSshOptions', () => {
  it("reads the user's, the repository's and the system's files; new keys go to the user's file unless told", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'rig-home-'));
    await mkdir(path.join(home, '.ssh'));
    await writeFile(path.join(home, '.ssh', 'config'), 'Host x\n  Port 2201\n');
    const env = { HOME: home, USER: 'u', SSH_AUTH_SOCK: '/a.sock' };
    const user = path.join(home, '.ssh', 'known_hosts');
    const o = await defaultSshOptions({ repoKnownHosts: '/repo/known_hosts', acceptNewHostKeys: true, env });
    const files = [user, `${user}2`, '/repo/known_hosts', '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
    expect(o.hostKeys).toEqual({ files, writeTo: user, acceptNew: true });
    expect([o.agentSocket, o.localUser, resolveSshHost(o.sshConfig, 'x', o).port]).toEqual(['/a.sock', 'u', 2201]);
    const repo = await defaultSshOptions({
      repoKnownHosts: '/repo/known_hosts',
      recordInRepo: true,
      acceptNewHostKeys: true,
      env,
    });
    expect(repo.hostKeys.writeTo).toBe('/repo/known_hosts');
  });
});
