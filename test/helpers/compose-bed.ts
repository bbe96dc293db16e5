// A compose test bed: one real target host (sshd container on the shared engine), a deploy repo running the `stack`
// fixture role on it, a vault secret in its env, and helpers to change the host's variables and run rig in-process.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringifyYaml } from '../../src/core/yaml-text.ts';
import { main } from '../../src/cli/main.js';
import { VaultKeyring } from '../../src/config/vault/keyring.js';
import {
  docker,
  dockerOk,
  inspectContainer,
  removeContainers,
  removeNetworks,
  type ContainerInfo,
} from './docker/index.js';
import { makeProject, REPO_ROOT } from './project.js';
import { testIo } from './test-io.js';
import { startHosts, type Testbed, type TestbedHost } from './testbed/index.js';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'roles', 'stack');
const BIN = path.join(REPO_ROOT, 'bin', 'rig.js');

/** The bed: host, repo, image tags it owns, and controls. */
export interface ComposeBed {
  readonly tb: Testbed;
  readonly host: TestbedHost;
  readonly root: string;
  /** A secret from the vault that ends up in alpha's env file: it must never show anywhere. */
  readonly secret: string;
  /** Test-owned tags (retag them to make "the image changed"). */
  readonly images: { readonly alpha: string; readonly beta: string };
  /** `<project>_<service>` container names. */
  readonly container: (service: 'alpha' | 'beta' | 'gamma' | 'init') => string;
  readonly stateDir: string;
  /** Rewrites the host's variables (merged over the defaults). */
  setVars(vars: Record<string, unknown>): void;
  /** Runs rig in-process with `--env test` and the run's known_hosts. */
  rig(args: string[]): Promise<{ code: number; out: string; err: string }>;
  /**
   * Starts rig (the built CLI) as its own process with `--env test`: same user, HOME and so workstation id as `rig`,
   * plus `env` (pause points). Build first (`buildCli()`, test/helpers/build-cli.ts).
   */
  spawnRig(args: string[], env?: Record<string, string>): RigProcess;
  /** The Compose flavor of the host. */
  readonly compose: 'v1' | 'v2';
  stop(): Promise<void>;
}

/** Starts the bed; `id` makes image tags and names unique per test file. */
export async function startComposeBed(id: string, opts: { compose?: 'v1' | 'v2' } = {}): Promise<ComposeBed> {
  const tb = await startHosts(1, opts.compose ? { compose: opts.compose } : {});
  const host = tb.host('h1');
  // the run id in the tags: the engine is shared, and the same suite running elsewhere at once retags its own
  const repo = `rigtest-${id}-${tb.runId}`;
  const images = { alpha: `${repo}/alpha:1`, beta: `${repo}/beta:1` };
  for (const ref of Object.values(images)) await dockerOk(['tag', 'local/rig-svc:1', ref]);
  const ring = VaultKeyring.fromPasswords([{ password: 'compose-bed-pw' }]);
  const secret = `sk-${id}-5e1f0c3a9b`;
  const projectDir = `${host.dataDir}/proj`;
  const base = {
    project_name: host.composeProject,
    project_dir: projectDir,
    stack_dir: `${projectDir}/cfg`,
    stack_alpha_image: images.alpha,
    stack_beta_image: images.beta,
    stack_alpha_env: { FOO: 'one', API_KEY: '{{ vault_api_key }}' },
    stack_beta_env: { X: '1' },
    stack_alpha_conf: 'hello\n',
  };
  const root = makeProject(
    {
      'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${host.address}, ansible_port: ${host.port}, ansible_user: root, ansible_ssh_private_key_file: ${host.keyPath} }\n`,
      'inventory/test/group_vars/all/secrets.yml': ring.encrypt(`vault_api_key: ${secret}\n`),
      'inventory/test/host_vars/h1.yml': stringifyYaml(base),
      'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
      '.vault_password': 'compose-bed-pw\n',
      'lint.yml': `images:\n  - image: ${repo}/alpha\n    reason: built locally by the tests, no registry\n  - image: ${repo}/beta\n    reason: built locally by the tests, no registry\n`,
      'playbooks/site.yml': '- hosts: all\n  roles: [stack]\n',
      ...Object.fromEntries(
        fixtureFiles().map((rel) => [`roles/stack/${rel}`, readFileSync(path.join(FIXTURE, rel), 'utf8')]),
      ),
    },
    { roles: [], asPackage: true },
  );
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
  const prefix = host.composeProject.replace(/-/g, '_');
  return {
    tb,
    host,
    root,
    secret,
    images,
    stateDir: `${projectDir}/.rig`,
    container: (service) => `${prefix}_${service}`,
    setVars: (vars) =>
      writeFileSync(path.join(root, 'inventory/test/host_vars/h1.yml'), stringifyYaml({ ...base, ...vars })),
    compose: tb.compose ?? 'v2', // unset only in a description written before the bed defaulted to v2
    async rig(args) {
      const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], USER: 'tester' } });
      const code = await main([...args, '--env', 'test'], io);
      return { code, out: io.outText(), err: io.errText() };
    },
    spawnRig: (args, env = {}) =>
      spawnRig(root, [...args, '--env', 'test'], {
        HOME: home,
        PATH: process.env['PATH'] ?? '',
        USER: 'tester',
        ...env,
      }),
    async stop() {
      await removeContainers(prefix);
      await removeNetworks(prefix);
      await tb.stop();
      await docker(['rmi', '-f', ...Object.values(images)]);
    },
  };
}

/** rig as a process of its own (it can be signalled, killed, frozen). */
function spawnRig(cwd: string, args: string[], env: Record<string, string>) {
  // no SIGKILL after a SIGTERM (execa's default after 5 s): how rig ends after a signal is what the tests look at
  return execa(process.execPath, [BIN, ...args], {
    cwd,
    reject: false,
    env,
    extendEnv: false,
    forceKillAfterDelay: false,
  });
}

/** A rig process started by {@link ComposeBed.spawnRig}. */
export type RigProcess = ReturnType<typeof spawnRig>;

function fixtureFiles(): string[] {
  return readdirSync(FIXTURE, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(FIXTURE, path.join(e.parentPath, e.name)));
}

/**
 * `docker compose up -d --force-recreate <service>` run by hand on the bed's host from rig's apps compose file, as an
 * operator would (Compose v2, else v1): the new container carries the file's labels and reads the env files as they are.
 */
export async function composeUpByHand(bed: ComposeBed, service: string): Promise<void> {
  const args = `-p ${bed.host.composeProject} -f ${bed.host.dataDir}/proj/compose.apps.yml up -d --force-recreate ${service}`;
  await dockerOk([
    'exec',
    bed.host.container,
    'sh',
    '-c',
    `docker compose ${args} 2>/dev/null || docker-compose ${args}`,
  ]);
}

/**
 * Adds `environment: {HAND: by-hand}` to `service`'s entry in the host's apps compose file, as an operator edits it by
 * hand (the container is left as it runs: `composeUpByHand` makes one from the edited file).
 */
export async function editComposeEntryByHand(bed: ComposeBed, service: string): Promise<void> {
  const file = `${bed.host.dataDir}/proj/compose.apps.yml`;
  await dockerOk([
    'exec',
    bed.host.container,
    'sed',
    '-i',
    `/container_name: .*_${service}$/a\\    environment: {HAND: by-hand}`,
    file,
  ]);
}

/**
 * Waits until a later second than `container`'s start, so a file edited then is after it to the second `stat` gives
 * (a tie counts as "started after the edit").
 */
export async function afterStartOf(container: string): Promise<void> {
  const c = await inspectContainer(container);
  if (c === undefined) throw new Error(`afterStartOf: no container ${container}`);
  const started = Math.floor(Date.parse(c.startedAt) / 1000);
  while (Math.floor(Date.now() / 1000) <= started) await new Promise((r) => setTimeout(r, 100));
}

/** Container id and start time per service: what "touched" means. */
export async function snapshot(
  bed: ComposeBed,
  services: readonly ('alpha' | 'beta' | 'gamma')[],
): Promise<Record<string, Pick<ContainerInfo, 'id' | 'startedAt'> | undefined>> {
  const out: Record<string, Pick<ContainerInfo, 'id' | 'startedAt'> | undefined> = {};
  for (const s of services) {
    const c = await inspectContainer(bed.container(s));
    out[s] = c && { id: c.id, startedAt: c.startedAt };
  }
  return out;
}

/** Docker events of the project's containers between two times: proves that nothing was created, started or stopped. */
export async function projectEvents(bed: ComposeBed, since: number): Promise<string[]> {
  const out = await dockerOk([
    'events',
    '--since',
    String(since),
    '--until',
    String(Math.floor(Date.now() / 1000) + 1),
    '--filter',
    `label=com.docker.compose.project=${bed.host.composeProject}`,
    '--format',
    '{{.Action}} {{.Actor.Attributes.name}}',
  ]);
  return out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('exec_') && !l.startsWith('health_status'));
}
