// make deps builds ssh2's optional crypto binding (scripts/build-ssh2-binding.sh): ssh2 then keeps one native cipher
// per direction instead of a Node cipher object per packet (README Benchmarks). ssh2 falls back to Node's crypto when
// the binding is absent (no compiler, another Node's ABI), so nothing else fails without it: CI must have it.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe("ssh2's crypto binding", () => {
  it('is built by make deps and loaded by the ssh2 rig runs', () => {
    const crypto = require('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean };
    if (!crypto.bindingAvailable && process.env['CI'] !== 'true') {
      console.log('[skip] ssh2 crypto binding not built here (scripts/build-ssh2-binding.sh says why)');
      return;
    }
    expect(crypto.bindingAvailable).toBe(true);
  });
});
