// The run identity: one rule for the user name (USER, LOGNAME, the account) and a fresh run id per invocation.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { runIdentity, userName } from '../../../src/config/run-identity.js';

describe('run identity', () => {
  it('takes USER, then LOGNAME, then the account of the uid', () => {
    expect(userName({ USER: 'alice', LOGNAME: 'bob' })).toBe('alice');
    expect(userName({ USER: '', LOGNAME: 'bob' })).toBe('bob');
    expect(userName({})).toBe(os.userInfo().username);
  });

  it("gives each invocation its own 12-hex run id, with the workstation's name", () => {
    const [a, b] = [runIdentity({ USER: 'alice' }), runIdentity({ USER: 'alice' })];
    expect(a.runId).toMatch(/^[0-9a-f]{12}$/);
    expect(a.runId).not.toBe(b.runId);
    expect(a).toMatchObject({ user: 'alice', workstation: os.hostname() });
  });
});
