// A fleet test bed for the day-2 commands: N real target hosts running the `chatty` fixture role, a vault secret,
// rig run in-process or as the compiled CLI in a child process (for signals and terminals).
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { afterAll, afterEach, beforeAll } from 'vitest';
import { stringifyYaml } from '../../src/core/yaml-text.ts';
import { main } from '../../src/cli/main.js';
import { VaultKeyring } from '../../src/config/vault/keyring.js';
import { makeProject, REPO_ROOT } from './project.js';
import { testIo } from './test-io.js';
import { buildCli } from './build-cli.js';
import { startHosts, type Testbed, type TestbedHost } from './testbed/index.js';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'roles', 'chatty');

/** The bed: hosts, the deploy repo, the secret every ticker knows, and ways to run rig. */
export interface FleetBed {
  readonly tb: Testbed;
  readonly hosts: readonly TestbedHost[];
  readonly root: string;
  /** A vault value that the ticker service prints once: it must show as *** everywhere. */
  readonly secret: string;
  /** A HOME of its own (no ~/.ssh/config or known_hosts of the machine's). */
  readonly home: string;
  /** `<project>_<service>` container name of `service` on host `name`. */
  container(name: string, service: string): string;
  /** Rewrites a host's variables (merged over its defaults). */
  setVars(host: string, vars: Record<string, unknown>): void;
  /** Runs rig in-process with `--env test` (put right after the command name). */
  rig(args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** The compiled CLI (`node bin/rig.js …`) and the environment it needs, for child processes. */
  cli(args: string[]): { file: string; args: string[]; env: Record<string, string> };
  stop(): Promise<void>;
}

/** Starts `n` hosts (`h1`…) and writes the repository; nothing is deployed yet. */
export async function startFleetBed(n: number): Promise<FleetBed> {
  const tb = await startHosts(n);
  const ring = VaultKeyring.fromPasswords([{ password: 'fleet-bed-pw' }]);
  const secret = `sk-fleet-${Math.random().toString(36).slice(2, 12)}`;
  const base = (h: TestbedHost) => ({
    project_name: h.composeProject,
    project_dir: `${h.dataDir}/proj`,
    chatty_dir: `${h.dataDir}/proj/cfg`,
    chatty_tag: h.name,
    chatty_secret: '{{ vault_api_key }}',
  });
  const hostLine = (h: TestbedHost) =>
    `    ${h.name}: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }`;
  const root = makeProject(
    {
      'inventory/test/hosts.yml': `all:\n  hosts:\n${tb.hosts.map(hostLine).join('\n')}\n`,
      'inventory/test/group_vars/all/secrets.yml': ring.encrypt(`vault_api_key: ${secret}\n`),
      ...Object.fromEntries(tb.hosts.map((h) => [`inventory/test/host_vars/${h.name}.yml`, stringifyYaml(base(h))])),
      'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
      '.vault_password': 'fleet-bed-pw\n',
      'lint.yml': 'images:\n  - image: local/rig-svc\n    reason: built locally by the tests, no registry\n',
      'playbooks/site.yml': '- hosts: all\n  roles: [chatty]\n',
      ...Object.fromEntries(
        fixtureFiles().map((rel) => [`roles/chatty/${rel}`, readFileSync(path.join(FIXTURE, rel), 'utf8')]),
      ),
    },
    { roles: [], asPackage: true },
  );
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
  const env = { HOME: home, PATH: process.env['PATH'] ?? '/usr/bin:/bin', USER: 'tester' };
  return {
    tb,
    hosts: tb.hosts,
    root,
    secret,
    home,
    container: (name, service) => `${tb.host(name).composeProject}_${service}`.replace(/-/g, '_'),
    setVars: (host, vars) =>
      writeFileSync(
        path.join(root, `inventory/test/host_vars/${host}.yml`),
        stringifyYaml({ ...base(tb.host(host)), ...vars }),
      ),
    async rig(args) {
      const io = testIo({ cwd: root, env });
      const code = await main(withEnv(args), io);
      return { code, out: io.outText(), err: io.errText() };
    },
    cli: (args) => ({ file: process.execPath, args: [path.join(REPO_ROOT, 'bin/rig.js'), ...withEnv(args)], env }),
    stop: () => tb.stop(),
  };
}

/**
 * A bed with the stack deployed and the CLI compiled, for suites that read what runs: stopped when `afterAll` runs, its
 * hosts' logs dumped when a test failed. Use the returned getter inside tests.
 */
export function deployedFleetBed(
  n: number,
  hooks: { beforeAll: typeof beforeAll; afterAll: typeof afterAll; afterEach: typeof afterEach },
): () => FleetBed {
  let bed: FleetBed | undefined;
  hooks.beforeAll(async () => {
    [bed] = await Promise.all([startFleetBed(n), buildCli()]);
    const d = await bed.rig(['deploy']);
    if (d.code !== 0) throw new Error(`deploy of the fleet bed failed (exit ${d.code}):\n${d.out}\n${d.err}`);
  }, 300_000);
  hooks.afterAll(async () => {
    await bed?.stop();
  });
  hooks.afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await bed?.tb.dumpLogs();
  });
  return () => {
    if (bed === undefined) throw new Error('the fleet bed is not started (beforeAll failed?)');
    return bed;
  };
}

/** `--env test` right after the command name: after a `--` it would belong to the remote command. */
function withEnv(args: readonly string[]): string[] {
  const [command, ...rest] = args;
  return command === undefined ? ['--env', 'test'] : [command, '--env', 'test', ...rest];
}

function fixtureFiles(): string[] {
  return readdirSync(FIXTURE, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(FIXTURE, path.join(e.parentPath, e.name)));
}
