// From role ops to the compose desired state: every problem with its exact text, networks, services and phase files.
import { describe, expect, it } from 'vitest';
import { LABELS, unmanagedEnvFiles } from '../../../src/compose/compose-desired.js';
import { fingerprintOf, inputsLabel, serviceInputs } from '../../../src/compose/service-inputs.js';
import { sha256Hex } from '../../../src/core/digest.js';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { desiredOf, file, net, ORIGIN, role, svc } from './compose-fixtures.js';
import { DOCKER_SOCKET_GROUP } from '../../../src/core/desired/service.js';

describe('composeDesired problems', () => {
  const messages = (...args: Parameters<typeof desiredOf>): string[] =>
    desiredOf(...args).problems.map((p) => p.message);

  it('a network no role of the host declares', () => {
    expect(messages([role('web', [net('front'), svc('web', { image: 'x', networks: ['front', 'back'] })])])).toEqual([
      'service web: network "back" is not declared by any role of this host (declare it with network("back"))',
    ]);
  });

  it("groupAdd's docker socket group becomes the host's socket gid (in the fingerprint too); without a socket it is an error", () => {
    const ops = [role('oc', [svc('oc', { image: 'x', groupAdd: [DOCKER_SOCKET_GROUP, 'audio'] })])];
    const with998 = desiredOf(ops, undefined, undefined, 998);
    expect(with998.problems).toEqual([]);
    expect(with998.services[0]?.op.spec.groupAdd).toEqual([998, 'audio']);
    expect(desiredOf(ops, undefined, undefined, 999).services[0]?.fingerprint).not.toBe(
      with998.services[0]?.fingerprint,
    );
    expect(desiredOf(ops).problems.map((p) => p.message)).toEqual([
      "service oc: groupAdd asks for the docker socket's group, but the host has no /var/run/docker.sock",
    ]);
  });

  it('a secret anywhere in the definition (command, labels) is refused too, naming the field', () => {
    const redactor = new Redactor(['s3cr3t-token']);
    const d = desiredOf(
      [
        role('web', [
          svc('web', { image: 'x', command: ['serve', '--token=s3cr3t-token'], labels: { auth: 's3cr3t-token' } }),
        ]),
      ],
      undefined,
      redactor,
    );
    expect(d.problems.map((p) => p.message)).toEqual([
      'service web: command[1] holds a secret; put it in an env file (mode 0600) instead, so compose files and plans stay free of secrets',
      'service web: labels auth holds a secret; put it in an env file (mode 0600) instead, so compose files and plans stay free of secrets',
    ]);
  });

  it('a secret in `environment`, with the location and host', () => {
    const redactor = new Redactor(['s3cr3t-token']);
    const d = desiredOf(
      [role('web', [svc('web', { image: 'x', environment: { PUBLIC: 'fine', TOKEN: 'Bearer s3cr3t-token' } })])],
      undefined,
      redactor,
    );
    expect(d.problems).toEqual([
      {
        severity: 'error',
        message:
          'service web: environment TOKEN holds a secret; put it in an env file (mode 0600) instead, so compose files and plans stay free of secrets',
        loc: ORIGIN,
        hosts: ['h'],
      },
    ]);
  });

  it('an env file that no role writes and the host lacks (one the host has, or a role writes, is fine)', () => {
    const ops = [
      file('/srv/shop/app.env', 'A=1\n'),
      svc('web', { image: 'x', envFiles: ['/srv/shop/app.env', '/srv/shop/host.env', '/srv/shop/gone.env'] }),
    ];
    const onHost = (p: string): string | undefined => (p === '/srv/shop/host.env' ? 'c'.repeat(64) : undefined);
    expect(messages([role('web', ops)], onHost)).toEqual([
      'service web: env file /srv/shop/gone.env is missing on the host and no role writes it',
    ]);
  });

  it('a service declared twice', () => {
    expect(messages([role('a', [svc('web', { image: 'x' })]), role('b', [svc('web', { image: 'y' })])])).toEqual([
      'service web: declared twice (also by role a)',
    ]);
  });

  it('a network declared twice with different settings; twice alike is one network', () => {
    const d = desiredOf([
      role('a', [net('back', { internal: true }), net('front')]),
      role('b', [net('back'), net('front')]),
    ]);
    expect(d.problems.map((p) => p.message)).toEqual([
      'network back is declared twice with different settings (role a and role b)',
    ]);
    expect(d.networks.map((n) => [n.role, n.op.name, n.name, n.op.internal])).toEqual([
      ['a', 'back', 'shop_back', true],
      ['a', 'front', 'shop_front', false],
    ]);
  });

  it('every problem of every service at once', () => {
    const redactor = new Redactor(['pw']);
    const ops = [
      svc('a', { image: 'x', networks: ['n1'], environment: { P: 'pw' }, envFiles: ['/e.env'] }),
      svc('a', { image: 'x' }),
    ];
    expect(messages([role('r', ops)], undefined, redactor)).toEqual([
      'service a: network "n1" is not declared by any role of this host (declare it with network("n1"))',
      'service a: environment P holds a secret; put it in an env file (mode 0600) instead, so compose files and plans stay free of secrets',
      'service a: env file /e.env is missing on the host and no role writes it',
      'service a: declared twice (also by role r)',
    ]);
  });
});

describe('composeDesired services and files', () => {
  const conf = file('/srv/shop/conf/app.conf', 'listen 80\n');
  const web = svc('web-1', {
    image: 'app:1',
    mounts: [{ type: 'bind', source: '/srv/shop/conf', target: '/etc/app' }],
  });
  const db = svc('db', { image: 'postgres:16' }, { phase: 'infra' });
  const d = desiredOf([role('web', [conf, web]), role('db', [db], false)]);

  it('each service carries its role, selection, container name and fingerprint over its inputs (managed files included)', () => {
    const inputs = serviceInputs(web.spec, {
      managed: new Map([[conf.path, sha256Hex('listen 80\n')]]),
      onHost: () => undefined,
    });
    expect(d.problems).toEqual([]);
    expect(d.services.map((s) => [s.role, s.selected, s.op.name, s.container])).toEqual([
      ['web', true, 'web-1', 'shop_web_1'],
      ['db', false, 'db', 'shop_db'],
    ]);
    expect(d.services[0]?.inputs).toEqual(inputs);
    expect(d.services[0]?.inputs['file:/srv/shop/conf/app.conf']).toBe(sha256Hex('listen 80\n'));
    expect(d.services[0]?.fingerprint).toBe(fingerprintOf(inputs));
  });

  it('renders one compose file per phase with services, in phase order, labelled for the next plan', () => {
    expect(d.files.map((f) => [f.path, f.mode, f.sensitive])).toEqual([
      ['/srv/shop/compose.infra.yml', 0o644, false],
      ['/srv/shop/compose.apps.yml', 0o644, false],
    ]);
    const apps = String(d.files[1]?.content);
    const s = d.services[0]!;
    expect(apps).toContain(
      `      ${LABELS.managed}: "true"\n      ${LABELS.role}: web\n      ${LABELS.phase}: apps\n      ${LABELS.image}: app:1\n      ${LABELS.fingerprint}: ${s.fingerprint}\n`,
    );
    expect(apps).toContain(`      ${LABELS.inputs}: '${inputsLabel(s.inputs)}'\n`);
    expect(String(d.files[0]?.content)).not.toContain('web-1');
  });

  it('no services, no compose files', () => {
    expect(desiredOf([role('r', [net('back')])]).files).toEqual([]);
  });

  it('unmanagedEnvFiles: env files no role writes, once each', () => {
    const ops = [
      file('/m.env', 'A=1'),
      svc('a', { image: 'x', envFiles: ['/m.env', '/u.env'] }),
      svc('b', { image: 'x', envFiles: ['/u.env', '/v.env'] }),
    ];
    expect(unmanagedEnvFiles([role('r', ops)])).toEqual(['/u.env', '/v.env']);
  });
});
