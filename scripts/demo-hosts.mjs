// Points inventory/local at the demo's test hosts: per host a host_vars testbed.yml (port, key) and the env's
// known_hosts.
// Usage: node scripts/demo-hosts.mjs <testbed.json> host1=h1 host2=h2 ...
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [jsonPath, ...pairs] = process.argv.slice(2);
const tb = JSON.parse(readFileSync(jsonPath, 'utf8'));
const envDir = path.join(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '..',
  'inventory',
  'local',
);
const known = [];
for (const pair of pairs) {
  const [name, tbHost] = pair.split('=');
  const h = tb.hosts.find((x) => x.name === tbHost);
  if (!h) throw new Error(`no test host ${tbHost} in ${jsonPath}`);
  const dir = path.join(envDir, 'host_vars', name);
  mkdirSync(dir, { recursive: true });
  const yaml = [
    '# yaml-language-server: $schema=../../../../schema/vars.schema.json',
    `# Written by make demo: ${name} is test host ${h.container} (regenerated on every run; not committed).`,
    `ansible_host: ${h.address}`,
    `ansible_port: ${h.port}`,
    `ansible_ssh_private_key_file: ${h.keyPath}`,
    `testbed_data_dir: ${h.dataDir}`,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'testbed.yml'), yaml);
  known.push(`[${h.address}]:${h.port} ${h.hostKey}`);
}
writeFileSync(path.join(envDir, 'known_hosts'), `${known.join('\n')}\n`);
