// rig pin against real registries (open, htpasswd with vault credentials), pin --check drift, and deploys by digest.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { startComposeBed, type ComposeBed } from '../../helpers/compose-bed.js';
import { dockerOk, inspectContainer } from '../../helpers/docker/index.js';
import {
  deleteManifest,
  pushImage,
  registryBedProblem,
  startRegistryBed,
  BED_USER,
  type RegistryBed,
} from '../../helpers/registry/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';

const skip = (await requireDocker()) ?? (await registryBedProblem());

describe.skipIf(skip !== undefined)('pin and deploy by digest', () => {
  let bed: ComposeBed;
  let reg: RegistryBed;
  let alphaRef: string;
  let betaRef: string;
  let pushed: { alpha: string; beta: string };
  const lockFile = () => path.join(bed.root, 'inventory/test/images.lock.yml');

  beforeAll(async () => {
    [bed, reg] = await Promise.all([startComposeBed('pin'), startRegistryBed()]);
    alphaRef = `${reg.open.host}/rigtest/alpha:1`;
    betaRef = `${reg.open.host}/rigtest/beta:1`;
    pushed = {
      alpha: await pushImage('local/rig-svc:1', reg.open.host, 'rigtest/alpha:1'),
      beta: await pushImage('local/rig-svc:1', reg.open.host, 'rigtest/beta:1'),
    };
    writeFileSync(
      path.join(bed.root, 'lint.yml'),
      `images:\n  - image: ${reg.open.host}/rigtest/alpha\n    reason: test registry\n  - image: ${reg.open.host}/rigtest/beta\n    reason: test registry\n`,
    );
  }, 180_000);
  afterAll(async () => {
    await bed?.stop();
    await reg?.stop();
  });

  it('pins every image of the env to the digest docker push printed, and prints what changed', async () => {
    bed.setVars({ stack_alpha_image: alphaRef, stack_beta_image: alphaRef });
    const r = await bed.rig(['pin']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`+ ${alphaRef}  ${pushed.alpha}`);
    expect(r.out).toContain('pin: inventory/test/images.lock.yml: 1 added, 0 changed, 0 removed, 0 unchanged');
    const lock = readFileSync(lockFile(), 'utf8');
    expect(lock).toContain(
      `ref: ${alphaRef}\n    registry: ${reg.open.host}\n    repository: rigtest/alpha\n    tag: "1"\n    digest: ${pushed.alpha}`,
    );
    const again = await bed.rig(['pin']);
    expect(again.out).toContain('0 added, 0 changed, 0 removed, 1 unchanged');
    expect(readFileSync(lockFile(), 'utf8')).toBe(lock);
  });

  it('a deploy after pin runs the locked digest (the host pulls it by digest: the tag is not local)', async () => {
    const r = await bed.rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`↓ pull ${alphaRef}@${pushed.alpha}  [stack] not on the host`);
    const alpha = await inspectContainer(bed.container('alpha'));
    expect(alpha?.imageRef).toBe(`${alphaRef}@${pushed.alpha}`);
    const repoDigests = await dockerOk(['image', 'inspect', '-f', '{{json .RepoDigests}}', alpha?.image ?? '']);
    expect(JSON.parse(repoDigests)).toContain(`${reg.open.host}/rigtest/alpha@${pushed.alpha}`);
  });

  it('a pinned env refuses an image missing from the lock, with the fix; nothing is contacted or changed', async () => {
    writeFileSync(path.join(bed.root, 'inventory/test/env.yml'), 'pinned: true\n');
    bed.setVars({ stack_alpha_image: alphaRef, stack_beta_image: betaRef });
    const r = await bed.rig(['deploy']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `inventory/test/host_vars/h1.yml:\\d+:\\d+: image ${betaRef.replace(/[.]/g, '\\.')} \\(service beta\\) is not in inventory/test/images.lock.yml: environment test deploys pinned digests only; run make pin ENV=test \\[host h1\\]`,
      ),
    );
    expect(r.err).toContain('nothing was changed');
    expect((await bed.rig(['pin'])).code).toBe(0);
    expect((await bed.rig(['deploy'])).code).toBe(0);
    expect((await inspectContainer(bed.container('beta')))?.imageRef).toBe(`${betaRef}@${pushed.beta}`);
  });

  it('pin --check: exit 0 when nothing moved, 2 naming a moved tag and a vanished one, 1 with the lock untouched when the registry is down', async () => {
    expect((await bed.rig(['pin', '--check'])).code).toBe(0);
    const lock = readFileSync(lockFile(), 'utf8');
    const moved = await pushImage('local/busybox:1', reg.open.host, 'rigtest/alpha:1');
    await deleteManifest(reg.open.url, 'rigtest/beta', pushed.beta);
    const r = await bed.rig(['pin', '--check']);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`~ ${alphaRef}: moved upstream ${pushed.alpha.slice(0, 19)}… → ${moved.slice(0, 19)}…`);
    expect(r.out).toContain(`! ${betaRef}: disappeared upstream (was ${pushed.beta.slice(0, 19)}…)`);
    expect(readFileSync(lockFile(), 'utf8')).toBe(lock);
    await reg.open.stop();
    const down = await bed.rig(['pin', '--check']);
    expect(down.code).toBe(1);
    expect(down.out).toContain('could not be checked');
    const write = await bed.rig(['pin']);
    expect(write.code).toBe(1);
    expect(write.err).toContain('inventory/test/images.lock.yml was not changed');
    expect(readFileSync(lockFile(), 'utf8')).toBe(lock);
  });

  it('htpasswd registry: credentials from the vault work, their absence is a clear error, the password is never shown', async () => {
    const ref = `${reg.basic.host}/rigtest/alpha:1`;
    bed.setVars({ stack_alpha_image: ref, stack_beta_image: ref });
    writeFileSync(path.join(bed.root, 'inventory/test/env.yml'), 'pinned: false\n');
    const denied = await bed.rig(['pin']);
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/unauthori[sz]ed|user name and password/);
    const ring = VaultKeyring.fromPasswords([{ password: 'compose-bed-pw' }]);
    const creds = `registry_auth:\n  "${reg.basic.host}": { username: ${BED_USER}, password: ${reg.password} }\n`;
    writeFileSync(path.join(bed.root, 'inventory/test/group_vars/all/registry.yml'), ring.encrypt(creds));
    const ok = await bed.rig(['pin']);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    // (the vault's user name is a secret too, so output masks it wherever it appears: check the lock file itself)
    expect(readFileSync(lockFile(), 'utf8')).toContain(`ref: ${ref}\n`);
    for (const text of [denied.out, denied.err, ok.out, readFileSync(lockFile(), 'utf8')])
      expect(text).not.toContain(reg.password);
  });
});
