// Workstation settings: defaults, .env vs process environment, fail-fast errors with file:line:col.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/settings.js';
import { DiagnosticsError, formatDiagnostic } from '../../../src/core/errors/diagnostic.js';
import { load, makeProject, sampleFiles } from '../../helpers/project.js';

function errorsOf(fn: () => unknown, root: string): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d, root));
    throw err;
  }
  throw new Error('expected an error');
}

describe('workstation settings', () => {
  it('has a default for everything that is optional', () => {
    const root = makeProject({});
    expect(loadSettings(root, {})).toEqual({
      RIG_ENV: 'local',
      RIG_FORKS: 100,
      RIG_FACTS_TIMEOUT: 120,
      RIG_TELEGRAM_API_BASE: 'https://api.telegram.org',
    });
  });

  it('reads .env, and the process environment wins over it', () => {
    const root = makeProject({ '.env': 'RIG_ENV=preprod\nRIG_FORKS=4\nOTHER=ignored\n' });
    expect(loadSettings(root, {})).toMatchObject({ RIG_ENV: 'preprod', RIG_FORKS: 4 });
    expect(loadSettings(root, { RIG_FORKS: '2' })).toMatchObject({ RIG_ENV: 'preprod', RIG_FORKS: 2 });
  });

  it('fails fast on typos and bad values, all at once, each at its line in .env', () => {
    const root = makeProject({
      '.env': '# workstation\nRIG_FORK=4\nRIG_CONNECT_TIMEOUT=soon\nRIG_SSH_KEY=keys/missing\n',
    });
    expect(errorsOf(() => loadSettings(root, {}), root)).toEqual([
      '.env:2:1: unknown setting RIG_FORK (did you mean "RIG_FORKS"?)',
      '.env:3:1: RIG_CONNECT_TIMEOUT: Invalid input: expected number, received NaN',
      '.env:4:1: RIG_SSH_KEY: SSH key: no such file',
    ]);
  });

  it('names the environment as the source of a bad value set there', () => {
    const root = makeProject({});
    expect(errorsOf(() => loadSettings(root, { RIG_FORKS: '0' }), root)).toEqual([
      'RIG_FORKS: Too small: expected number to be >=1 (from the environment)',
    ]);
  });

  it("RIG_SSH_KEY is only a fallback: the inventory's key wins", async () => {
    const root = makeProject(sampleFiles());
    writeFileSync(path.join(root, 'workstation_key'), 'k');
    writeFileSync(path.join(root, 'inventory_key'), 'k');
    const settings = loadSettings(root, { RIG_SSH_KEY: 'workstation_key' });
    const p1 = await load(root, { settings });
    expect(p1.hosts.get('web1')?.connection.sshKey).toBe(path.join(root, 'workstation_key'));
    const p2 = await load(root, { settings, extraVars: ['ansible_ssh_private_key_file=inventory_key'] });
    expect(p2.hosts.get('web1')?.connection.sshKey).toBe(path.join(root, 'inventory_key'));
  });
});
