// A fleet test bed for the day-2 commands: N real target hosts running the `chatty` fixture role, a vault secret,
// rig run in-process or as the compiled CLI in a child process (for signals and terminals).
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { VaultKeyring } from '../../src/config/vault/keyring.js';
import { makeProject, REPO_ROOT } from './project.js';
import { testIo } from './test-io.js';
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
  /** Runs rig in-process with `--env test`. */
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
  const base = (h: TestbedHost) => ({ project_name: h.composeProject, project_dir: `${h.dataDir}/proj`, chatty_dir: `${h.dataDir}/proj/cfg`, chatty_tag: h.name, chatty_secret: '{{ vault_api_key }}' });
  const hostLine = (h: TestbedHost) => `    ${h.name}: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }`;
  const root = makeProject(
    {
      'inventory/test/hosts.yml': `all:\n  hosts:\n${tb.hosts.map(hostLine).join('\n')}\n`,
      'inventory/test/group_vars/all/secrets.yml': ring.encrypt(`vault_api_key: ${secret}\n`),
      ...Object.fromEntries(tb.hosts.map((h) => [`inventory/test/host_vars/${h.name}.yml`, stringify(base(h))])),
      'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
      '.vault_password': 'fleet-bed-pw\n',
      'lint.yml': 'images:\n  - image: local/rig-svc\n    reason: built locally by the tests, no registry\n',
      'playbooks/site.yml': '- hosts: all\n  roles: [chatty]\n',
      ...Object.fromEntries(fixtureFiles().map((rel) => [`roles/chatty/${rel}`, readFileSync(path.join(FIXTURE, rel), 'utf8')])),
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
    setVars: (host, vars) => writeFileSync(path.join(root, `inventory/test/host_vars/${host}.yml`), stringify({ ...base(tb.host(host)), ...vars })),
    async rig(args) {
      const io = testIo({ cwd: root, env });
      const code = await main([...args, '--env', 'test'], io);
      return { code, out: io.outText(), err: io.errText() };
    },
    cli: (args) => ({ file: process.execPath, args: [path.join(REPO_ROOT, 'bin/rig.js'), ...args, '--env', 'test'], env }),
    stop: () => tb.stop(),
  };
}

/** Compiles the CLI to dist/ (bin/rig.js runs it; deploy repos import `rig` from there). */
export async function buildCli(): Promise<void> {
  const build = await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, reject: false });
  if (build.exitCode !== 0) console.warn(`tsc -p tsconfig.build.json exited ${build.exitCode} (emitted anyway):\n${build.stdout}`);
}

function fixtureFiles(): string[] {
  return readdirSync(FIXTURE, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(FIXTURE, path.join(e.parentPath, e.name)));
}
