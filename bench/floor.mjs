// The raw floors, timed as a whole process (node start included) as rig is timed. One node process opens an ssh2
// connection to every host in parallel (the host key checked against the one the testbed recorded) and runs ONE exec:
//   no-op floor:        `true`.
//   first-deploy floor: `--files DIR`: every file under DIR/<host> (the files rig's first run wrote in that host's
//     base_dir, the same bytes and modes) is sent over the exec's stdin and written under the host's base_dir as
//     safely as rig writes: each into a temp file beside its target, fsync'd, renamed over the target, the
//     directories fsync'd. The floor pays rig's durability; it drops only rig's planning, lock, journal and releases.
// Usage: node bench/floor.mjs <testbed.json> [--files DIR]
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';

const [tbFile, flag, filesDir] = process.argv.slice(2);
if (flag !== undefined && (flag !== '--files' || filesDir === undefined)) {
  throw new Error('usage: floor.mjs <testbed.json> [--files DIR]');
}
const tb = JSON.parse(readFileSync(tbFile, 'utf8'));
const privateKey = readFileSync(tb.keyPath);
// the handshake deadline: generous, as rig's in bench/run.sh (100 hosts on 2 shared cores: a timeout is not a figure)
const readyTimeout = Number(process.env.BENCH_CONNECT_TIMEOUT ?? 60) * 1000;

// Arguments: base dir, then per directory `d <rel> <mode>`, per file `f <rel> <umask> <size>` (a file is created
// through the umask that gives its mode: no chmod process). Temps are fsync'd by one `sync` (an fsync per file, as
// rig's one `sync` per file), renamed with `mv -T` as rig does, then the directories are fsync'd.
const WRITE = `b=$1; shift
temps= dirs=$b
while [ $# -gt 0 ]; do
  case $1 in
    d) mkdir -p -- "$b/$2" && chmod "$3" "$b/$2" || exit 1; dirs="$dirs $b/$2"; shift 3 ;;
    f) umask "$3"; head -c "$4" >"$b/$2.floor-tmp" || exit 1; temps="$temps $2"; shift 4 ;;
    *) exit 2 ;;
  esac
done
set -f
for r in $temps; do set -- "$@" "$b/$r.floor-tmp"; done
sync -- "$@" || exit 1
for r in $temps; do mv -f -T -- "$b/$r.floor-tmp" "$b/$r" || exit 1; done
sync -- $dirs`;

/** The exec for host `h`: its command and the bytes for its stdin. */
function workload(h) {
  if (filesDir === undefined) return { command: 'true', input: undefined };
  const root = path.join(filesDir, h.name);
  const base = `${h.dataDir}/app`; // bench/write-inventory.mjs gives every host this base_dir
  // directories first: a file's umask must not shape the directories `mkdir -p` creates
  const dirs = [];
  const files = [];
  const chunks = [];
  const walk = (rel) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(path.join(root, r));
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        dirs.push('d', r, mode.toString(8));
        walk(r);
      } else {
        const data = readFileSync(path.join(root, r));
        files.push('f', r, (0o777 & ~mode).toString(8).padStart(3, '0'), String(data.length));
        chunks.push(data);
      }
    }
  };
  walk('');
  const quote = (s) => `'${String(s).replaceAll("'", "'\\''")}'`;
  const argv = ['sh', '-c', WRITE, 'sh', base, ...dirs, ...files];
  return { command: argv.map(quote).join(' '), input: Buffer.concat(chunks) };
}

/** Connects, runs the host's one exec (stdin fed when it has input), resolves with its exit code and stderr. */
function execOnce(h) {
  const { command, input } = workload(h);
  const wanted = Buffer.from(h.hostKey.split(' ')[1], 'base64');
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('error', reject);
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let stderr = '';
        stream.on('close', (code) => {
          c.end();
          resolve({ host: h.name, code, stderr });
        });
        stream.resume();
        stream.stderr.on('data', (d) => {
          stderr += d;
        });
        stream.end(input);
      });
    });
    const hostVerifier = (key) => wanted.equals(key);
    c.connect({ host: h.address, port: h.port, username: h.user, privateKey, hostVerifier, readyTimeout });
  });
}

const results = await Promise.all(tb.hosts.map(execOnce));
const failed = results.filter((r) => r.code !== 0);
if (failed.length > 0) {
  throw new Error(`floor exec failed: ${failed.map((r) => `${r.host} exit ${r.code} ${r.stderr}`).join('; ')}`);
}
