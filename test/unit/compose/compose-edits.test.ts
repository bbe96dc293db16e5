// editedComposeEntries: which services' entries in the host's copy of a compose file are not rig's.
import { describe, expect, it } from 'vitest';
import { editedComposeEntries } from '../../../src/compose/compose-edits.js';

const APPS = '/srv/shop/compose.apps.yml';
const RIG = `# Rendered by rig\nservices:\n  web:\n    image: app:1\n    env_file: [/srv/shop/web.env]\n  db:\n    image: pg:16\n`;

const edited = (host: string | undefined): Record<string, string> =>
  Object.fromEntries(
    editedComposeEntries(
      [{ path: APPS, content: RIG }],
      new Map(host === undefined ? [] : [[APPS, Buffer.from(host)]]),
    ),
  );

describe('editedComposeEntries', () => {
  it('names the services whose entry differs, not those the edit left alone (formatting and comments aside)', () => {
    const host = `services:\n  web:\n    image: app:1\n    environment: {HAND: "1"}\n    env_file: [/srv/shop/web.env]\n  # mine\n  db: { image: "pg:16" }\n`;
    expect(edited(host)).toEqual({ web: APPS });
  });

  it('a service removed from the host copy counts as edited', () => {
    expect(edited(`services:\n  db:\n    image: pg:16\n`)).toEqual({ web: APPS });
  });

  it('a host copy that is not YAML, or has no services map, counts as every entry edited', () => {
    expect(edited('services: [\n')).toEqual({ web: APPS, db: APPS });
    expect(edited('version: "2.4"\n')).toEqual({ web: APPS, db: APPS });
  });

  it('no host copy among the bytes read (the file is not written back, or missing): nothing', () => {
    expect(edited(undefined)).toEqual({});
  });
});
