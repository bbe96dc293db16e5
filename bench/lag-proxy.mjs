// A network between the workstation and the hosts (bench/run.sh with BENCH_RTT_MS): the test bed's hosts are on
// loopback, where a round trip costs nothing, while a deploy to real hosts pays every exec's round trips. This proxy
// listens on 127.0.0.1 for each host of a testbed.json and forwards to it, holding every chunk for half the round
// trip in each direction (order kept: timers of one delay fire in the order they were set). It writes a copy of the
// testbed.json with the proxy's ports, for rig's inventory (bench/write-inventory.mjs) and for the floors alike, and
// runs until killed.
// Usage: node bench/lag-proxy.mjs <testbed.json> <rtt ms> <out testbed.json>
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';

const [tbFile, rttArg, outFile] = process.argv.slice(2);
const rtt = Number(rttArg);
if (!tbFile || !outFile || !Number.isFinite(rtt) || rtt < 0) {
  throw new Error('usage: lag-proxy.mjs <testbed.json> <rtt ms> <out testbed.json>');
}
const oneWay = rtt / 2;
const tb = JSON.parse(readFileSync(tbFile, 'utf8'));

/** Forwards `from` to `to`, each chunk and the end held for `oneWay` ms. */
function delayed(from, to) {
  from.on('data', (chunk) => setTimeout(() => to.write(chunk), oneWay));
  from.on('end', () => setTimeout(() => to.end(), oneWay));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), oneWay));
}

function listen(host) {
  return new Promise((resolve) => {
    const server = net.createServer((client) => {
      client.setNoDelay(true);
      const upstream = net.connect(host.port, host.address);
      upstream.setNoDelay(true);
      delayed(client, upstream);
      delayed(upstream, client);
    });
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

const hosts = [];
for (const h of tb.hosts) hosts.push({ ...h, address: '127.0.0.1', port: await listen(h) });
writeFileSync(`${outFile}.tmp`, JSON.stringify({ ...tb, hosts }, null, 2));
renameSync(`${outFile}.tmp`, outFile);
