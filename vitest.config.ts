import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests talk to real sshd/docker/ansible-vault and may take longer.
// Role modules import `rig`; under vitest that is the TypeScript source (the CLI resolves it to dist/).
export default defineConfig({
  resolve: { alias: { rig: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
