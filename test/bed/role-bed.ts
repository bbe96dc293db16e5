// One role's integration bed: hosts, a deploy repo running the roles on them, local images pushed to a registry
// and pinned, rig run in-process, and everything removed after. A role suite keeps only its own assertions.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { VaultKeyring } from '../../src/config/vault/keyring.ts';
import { containerName, networkName } from '../../src/core/desired/service.ts';
import { stringifyYaml } from '../../src/core/yaml-text.ts';
import type { TestRegistry } from './registry.ts';
import { registryWithImages, type PushedImage } from './role-images.ts';
import { rigRunner, type RigRun, type RigRunOptions } from './rig-runner.ts';
import { writeProject, type BedHost, type InlineRole } from './role-project.ts';
import { startBedHosts } from './bed-machines.ts';
import type { SshdFleet } from '../helpers/sshd/sshd-fleet.ts';
import type { ComposeFlavor } from './target-host.ts';
import type { Testbed } from './testbed-control.ts';

/** Options of {@link startRoleBed}. */
export interface RoleBedOptions {
  /** The playbook's roles, in order: a name from roles/ or test/fixtures/roles/, or a role written by the test. */
  readonly roles: readonly (string | InlineRole)[];
  /** Hosts h1..hN (default 1), all in the playbook. */
  readonly hosts?: number;
  /** Each host's variables, over the bed's `project_name` (the host's compose project) and `project_dir`. */
  readonly hostVars?: (host: BedHost) => Record<string, unknown>;
  /** `group_vars/all` (plain). */
  readonly groupVars?: Record<string, unknown>;
  /** Secrets: encrypted into `group_vars/all/secrets.yml` with a password of the bed's (in `.vault_password`). */
  readonly vault?: Record<string, unknown>;
  /**
   * Variable → local image: each pushed to the bed's registry, the variable set to the pushed reference in
   * `group_vars/all`, allowed in lint.yml, and `rig pin` run so deploys pull by digest.
   */
  readonly images?: Readonly<Record<string, string>>;
  /** Run `rig pin` after the push (default true). It resolves every image of the env: a role that also runs local
   * images (`lintAllow`) needs `pin: false`, and then deploys the pushed ones by tag. */
  readonly pin?: boolean;
  /** Images the roles run as they are (floating local tags): image name → the lint.yml reason. */
  readonly lintAllow?: Readonly<Record<string, string>>;
  /** More files of the repository, by path (they win over the bed's). */
  readonly files?: Readonly<Record<string, string>>;
  readonly compose?: ComposeFlavor;
  /**
   * Hosts as sshd processes of this machine on 127.0.0.<firstOctet>.. (one octet range per suite) instead of
   * containers: for suites that deploy files and commands only. Their rig_state_dir is in their data dir.
   */
  readonly sshd?: { readonly firstOctet: number };
}

/** A started role bed. */
export interface RoleBed {
  /** The hosts' testcontainers run (a bed on containers only). */
  readonly tb: Testbed;
  /** The hosts' sshd processes (a bed with `sshd` only). */
  readonly fleet: SshdFleet;
  /** The deploy repository's root. */
  readonly root: string;
  /** The pushed images, by variable (empty without `images`). */
  readonly images: Readonly<Record<string, PushedImage>>;
  /** The registry holding them (undefined without `images`). */
  readonly registry: TestRegistry | undefined;
  readonly vaultPassword: string;
  /** A host (default h1). */
  host(name?: string): BedHost;
  /** The container rig names `<project>_<service>` for a service on a host (default h1). */
  container(service: string, host?: string): string;
  /** The network rig names `<project>_<network>` on a host (default h1). */
  network(name: string, host?: string): string;
  /** The vars a host started with (bed defaults + `hostVars`). */
  hostVars(host?: string): Record<string, unknown>;
  /** Rewrites a host's variables file: the vars it started with, then `vars` over them. */
  setHostVars(vars: Record<string, unknown>, host?: string): void;
  /** Writes repository files (path → content). */
  writeFiles(files: Record<string, string>): void;
  /** Encrypts YAML text with the bed's vault password (a second secrets file, a rotation). */
  encrypt(text: string): string;
  /** `rig <args> --env test` in-process, in the repository; every run is kept for {@link dumpLogs}. */
  rig(args: readonly string[], opts?: RigRunOptions): Promise<RigRun>;
  /** Prints the host containers' logs and every rig run's output to stderr (a test failed). */
  dumpLogs(): Promise<void>;
  /** Removes the hosts and what they deployed, the registry, the repository and the pulled references. */
  stop(): Promise<void>;
}

/** Starts the hosts, writes the repository, pushes and pins the images. On failure everything started is removed. */
export async function startRoleBed(opts: RoleBedOptions): Promise<RoleBed> {
  const undo: (() => Promise<void>)[] = [];
  try {
    return await build(opts, undo);
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

async function build(opts: RoleBedOptions, undo: (() => Promise<void>)[]): Promise<RoleBed> {
  const { machines, registry, images } = await startMachines(opts, undo);
  const vaultPassword = `bed-${randomBytes(6).toString('hex')}`;
  const ring = VaultKeyring.fromPasswords([{ password: vaultPassword }]);
  // an sshd host is this machine: rig's state goes into its data dir, not /var/lib/rig
  const state = (h: BedHost) => (machines.fleet ? { rig_state_dir: `${h.dataDir}/state` } : {});
  const baseVars = (h: BedHost) => ({ project_name: h.composeProject, project_dir: `${h.dataDir}/proj`, ...state(h) });
  const startVars = new Map(machines.hosts.map((h) => [h.name, { ...baseVars(h), ...opts.hostVars?.(h) }]));
  const lintAllow = new Map(Object.entries(opts.lintAllow ?? {}));
  for (const pushed of Object.values(images)) lintAllow.set(pushed.name, `${pushed.local}, pushed by the role bed`);
  const root = writeProject({
    roles: opts.roles,
    hosts: machines.hosts,
    knownHosts: readFileSync(machines.knownHostsPath, 'utf8'),
    hostVars: startVars,
    groupVars: { ...opts.groupVars, ...Object.fromEntries(Object.entries(images).map(([v, p]) => [v, p.ref])) },
    vault: opts.vault && { encrypted: ring.encrypt(stringifyYaml(opts.vault)), password: vaultPassword },
    lintAllow,
    files: opts.files ?? {},
  });
  const runner = rigRunner(root);
  undo.push(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(runner.home, { recursive: true, force: true });
  });
  if (Object.keys(images).length > 0 && opts.pin !== false) {
    const pinned = await runner.rig(['pin']);
    if (pinned.code !== 0) {
      throw new Error(`role bed: rig pin failed (exit ${pinned.code}):\n${pinned.out}${pinned.err}`);
    }
  }
  const host = (name = 'h1'): BedHost => {
    const found = machines.hosts.find((h) => h.name === name);
    if (!found) throw new Error(`role bed: no host ${name} (hosts: ${machines.hosts.map((h) => h.name).join(', ')})`);
    return found;
  };
  const varsOf = (name = 'h1'): Record<string, unknown> => ({ ...startVars.get(host(name).name) });
  return {
    get tb() {
      if (!machines.tb)
        throw new Error('role bed: its hosts are sshd processes (option sshd), not a testcontainers run');
      return machines.tb;
    },
    get fleet() {
      if (!machines.fleet) throw new Error('role bed: its hosts are containers, not sshd processes (option sshd)');
      return machines.fleet;
    },
    root,
    images,
    registry,
    vaultPassword,
    host,
    container: (service, name) => containerName(host(name).composeProject, service),
    network: (network, name) => networkName(host(name).composeProject, network),
    hostVars: varsOf,
    setHostVars: (vars, name = 'h1') => {
      const file = `inventory/test/host_vars/${host(name).name}.yml`;
      writeFiles(root, { [file]: stringifyYaml({ ...varsOf(name), ...vars }) });
    },
    writeFiles: (files) => writeFiles(root, files),
    encrypt: (text) => ring.encrypt(text),
    rig: (args, runOpts) => runner.rig(args, runOpts),
    async dumpLogs() {
      process.stderr.write(`[role bed ${machines.label}] hosts:\n${await machines.logs()}\n`);
      process.stderr.write(`[role bed ${machines.label}] rig runs:\n${runner.transcript.join('\n')}\n`);
    },
    async stop() {
      for (const step of undo.reverse()) await step();
      undo.length = 0;
    },
  };
}

/**
 * The hosts and the registry with the pushed images, started at once. `undo` is run in reverse: hosts (with what
 * they run) first, then the pulled references (the engine refuses to drop one a container uses), registry, storage.
 */
async function startMachines(opts: RoleBedOptions, undo: (() => Promise<void>)[]) {
  const registryUndo: (() => Promise<void>)[] = [];
  const [hosts, pushed] = await Promise.allSettled([
    startBedHosts(opts),
    registryWithImages(opts.images ?? {}, registryUndo),
  ]);
  undo.push(...registryUndo);
  if (hosts.status === 'fulfilled') undo.push(() => hosts.value.stop());
  if (hosts.status === 'rejected') throw hosts.reason;
  if (pushed.status === 'rejected') throw pushed.reason;
  return { machines: hosts.value, ...pushed.value };
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}
