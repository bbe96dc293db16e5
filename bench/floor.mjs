// The raw floor for a no-change run: one node process that opens an ssh2 connection to every host in parallel,
// runs `true` once on each and exits. Time the whole process (node start included), as rig is timed.
// Usage: node bench/floor.mjs <testbed.json>
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';

const tb = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const privateKey = readFileSync(tb.keyPath);

/** Connects (checking the host key the testbed recorded), runs `true`, resolves with its exit code. */
function execTrue(h) {
  const wanted = Buffer.from(h.hostKey.split(' ')[1], 'base64');
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('error', reject);
    c.on('ready', () => {
      c.exec('true', (err, stream) => {
        if (err) return reject(err);
        stream.on('close', (code) => { c.end(); resolve(code); });
        stream.resume();
        stream.stderr.resume();
      });
    });
    c.connect({ host: h.address, port: h.port, username: h.user, privateKey, hostVerifier: (key) => wanted.equals(key) });
  });
}

const codes = await Promise.all(tb.hosts.map(execTrue));
if (codes.some((c) => c !== 0)) throw new Error(`true failed: exit codes ${codes.join(',')}`);
