// Checks a `rig deploy --json` result of the benchmark and prints the most exec channels any host used.
// Usage: node bench/check-rig.mjs <result.json> first|noop <hosts> <changes per host>   (exit 1 with the reason)
import { readFileSync } from 'node:fs';

const [file, phase, hosts, changes] = process.argv.slice(2);
const { results } = JSON.parse(readFileSync(file, 'utf8'));
const wantStatus = phase === 'first' ? 'changed' : 'ok';
const problems = [];
if (results.length !== Number(hosts)) problems.push(`${results.length} hosts in the result, expected ${hosts}`);
for (const r of results) {
  if (r.status !== wantStatus || r.changes !== Number(changes))
    problems.push(`${r.host}: status ${r.status}, ${r.changes} changes (expected ${wantStatus}, ${changes})`);
  if (r.roundTrips?.connections !== 1) problems.push(`${r.host}: ${r.roundTrips?.connections} connections, expected 1`);
}
if (problems.length > 0) {
  console.error(`bench: ${file} (${phase}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(Math.max(...results.map((r) => r.roundTrips.execChannels)));
