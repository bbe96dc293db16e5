// Points bench/project/inventory/bench at the test hosts of one testbed run: hosts.yml (read by rig AND by
// ansible-playbook, Ansible's YAML inventory format) and known_hosts (rig reads it itself; ansible gets it via ssh
// args).
// Usage: node bench/write-inventory.mjs <testbed.json>
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const tb = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const envDir = path.join(import.meta.dirname, 'project', 'inventory', 'bench');
const hostLines = tb.hosts.flatMap((h) => [
  `        ${h.name}:`,
  `          ansible_host: ${h.address}`,
  `          ansible_port: ${h.port}`,
  `          ansible_user: ${h.user}`,
  `          ansible_ssh_private_key_file: ${h.keyPath}`,
  // the data dir is mounted at the same path inside the container, so run.sh can reset and compare it from here
  `          base_dir: ${h.dataDir}/app`,
]);
const yaml = [
  '# yaml-language-server: $schema=../../../../schema/hosts.schema.json',
  `# Written by bench/run.sh for testbed run ${tb.runId} (regenerated on every run; not committed).`,
  'all:',
  '  children:',
  '    targets:',
  '      hosts:',
  ...hostLines,
  '',
].join('\n');
writeFileSync(path.join(envDir, 'hosts.yml'), yaml);
writeFileSync(
  path.join(envDir, 'known_hosts'),
  tb.hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKey}\n`).join(''),
);
