#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=2
// --max-semi-space-size=2 (MB): V8's young generation grows to 16 MB semi-spaces by default, and a deploy's many
// short-lived buffers fill them; 2 cuts a 100-host no-op's peak RSS from ~162 to ~122 MB at the same CPU (make
// bench-scale). V8 takes it only on the command line (v8.setFlagsFromString comes too late), hence the shebang: run
// rig as bin/rig.js (make does, as does npm's `rig`); `node bin/rig.js` runs it without.
// MALLOC_ARENA_MAX=1: glibc gives each thread that allocates (libuv's pool, V8's compiler and GC threads) a malloc
// arena of its own, and what they touch stays resident; one arena took ~4 MB off a 100-host no-op's peak RSS and
// ~11 MB off a first deploy's, at the same CPU (README Benchmarks). Other C libraries ignore it; glibc reads it at
// start.
// Entry point: refuses a Node older than rig's floor in plain words, then runs the compiled CLI (`make build`).
// The CLI is imported only after the check: an older Node would otherwise fail inside it with a stack trace.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major * 1000 + minor < 22018) {
  process.stderr.write(
    `rig: Node ${process.versions.node} is too old: rig needs Node 22.18 or later (24 LTS recommended), for the type ` +
      'stripping that loads roles. The make targets bring Node 24 themselves (scripts/ensure-node24.sh).\n',
  );
  process.exit(1);
}
// before the CLI loads, so that its modules and the roles come from Node's compile cache when warm
const { enableRigCompileCache } = await import('../dist/src/cli/compile-cache.js');
enableRigCompileCache();
const { main } = await import('../dist/bundle/main.js');
process.exitCode = await main(process.argv.slice(2));
