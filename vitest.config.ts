import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Role modules import `rig`; under vitest that is the TypeScript source (the CLI resolves it to dist/).
// Three projects: unit tests are pure and run in worker threads (faster start); integration and extended tests talk
// to real sshd, docker and ansible-vault, spawn and kill processes, and run in forked workers.
// Extended: the integration suites CI (`make test`) leaves out, run by `make test-extended` and `make test-all` (before
// a release, and whenever versions.yml or an image input changes). CI is CPU-bound on 2 cores (measured: 0% idle with
// three suites at once), so it keeps one suite per engine path and leaves out: upstream contracts (what OpenClaw,
// Telegram's client in OpenClaw and the local images do by themselves), failure-classification matrices whose rules
// are unit-tested (smoke checks, checklist, healthcheck probes, LiteLLM completion), the roles whose code paths other
// suites already drive (caddy, headscale), the nightly's wrapper and the bed's own API, and the lease's slow-holder
// cases and the second Compose flavor of the crash cases (v1; `make test-crash` runs every case), and a host moving
// from Compose v1 to v2 (compose-switch).
export const EXTENDED = [
  'roles/openclaw-image',
  'roles/telegram-openclaw-gateway',
  'roles/stack-images',
  'telegram/telegram-standin-image',
  'roles/svc-image',
  'smoke/smoke-checks',
  'checklist/checklist-host',
  'apply/probe-check',
  'roles/litellm-completion',
  'roles/headscale-distroless',
  'roles/caddy-role',
  'roles/headscale-role',
  'cron/cron-nightly',
  'bed/role-bed',
  'lock/lock-lease',
  'engine/crash-v1',
  'compose/compose-switch',
].map((name) => `test/integration/${name}.test.ts`);

const integration = {
  pool: 'forks' as const,
  // Three suites at a time even on 2 cores: they mostly wait on sshd, dockerd and containers starting; vitest's
  // default (cores - 1) ran them one by one, 24 min here. Each suite owns its hosts, names, ports.
  maxWorkers: 3,
  // 180 s per test: with three suites at once on 2 cores a 15 s matrix case has been seen to take 60 s (not a
  // speed target: those live in bench/)
  testTimeout: 180_000,
  globalSetup: ['test/bed/global-setup.ts'],
  sequence: { groupOrder: 1 },
};

export default defineConfig({
  resolve: { alias: { rig: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // The test bed runs on testcontainers without its reaper (the ryuk image cannot be pulled here: the bed removes
    // what it starts) and on 127.0.0.1 (no gateway probe, which would pull alpine:3.14): see test/bed/.
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1' },
    // Projects inherit this config (vitest 5's default for inline projects).
    projects: [
      // isolate: false: unit tests are pure, so the workers keep their module graph from file to file instead of
      // importing src/ again for each of ~90 files (make test-unit 98 s -> 69 s side by side at load 12). Vitest then
      // wants the projects in groups (sequence.groupOrder): the unit tests run first, then integration (and extended).
      // maxWorkers 2: vitest's default on 2 cores is one worker (cores - 1), which ran every unit file in a row (sum of
      // the files' times = wall time); two threads share the files, and get their share of the CPU when others load it.
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          pool: 'threads',
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: EXTENDED, ...integration } },
      { test: { name: 'extended', include: EXTENDED, ...integration } },
    ],
  },
});
