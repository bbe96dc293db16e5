// Where rig keeps Node's compile cache and Handlebars' compiled templates: a directory of the user's own that no other
// account can write to, else none.
import { chmodSync, mkdirSync, mkdtempSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { privateCacheDir, templateCacheDir } from '../../../src/cli/compile-cache.js';

const uid = process.getuid?.() ?? 0;
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'rig-cache-'));

describe('compile cache dir', () => {
  it('is <XDG_CACHE_HOME or ~/.cache>/rig/node-compile-cache, created 0700', () => {
    const home = tmp();
    const dir = privateCacheDir({}, uid, home);
    expect(dir).toBe(path.join(home, '.cache/rig/node-compile-cache'));
    expect(statSync(dir ?? '').mode & 0o777).toBe(0o700);
    const xdg = tmp();
    expect(privateCacheDir({ XDG_CACHE_HOME: xdg }, uid, home)).toBe(path.join(xdg, 'rig/node-compile-cache'));
    // a relative XDG_CACHE_HOME is invalid by the spec: the default applies
    expect(privateCacheDir({ XDG_CACHE_HOME: 'rel' }, uid, home)).toBe(dir);
  });

  it('is refused when another account could swap what rig would run', () => {
    const open = tmp();
    mkdirSync(path.join(open, 'rig'), { mode: 0o777 });
    chmodSync(path.join(open, 'rig'), 0o777);
    expect(privateCacheDir({ XDG_CACHE_HOME: open }, uid)).toBeUndefined();

    const linked = tmp();
    symlinkSync(tmp(), path.join(linked, 'rig'));
    expect(privateCacheDir({ XDG_CACHE_HOME: linked }, uid)).toBeUndefined();

    expect(privateCacheDir({ XDG_CACHE_HOME: tmp() }, uid + 1)).toBeUndefined();
  });

  it('keeps compiled templates beside it, in rig/templates, and none when the compile cache is off', () => {
    const xdg = tmp();
    const dir = templateCacheDir({ XDG_CACHE_HOME: xdg });
    expect(dir).toBe(path.join(xdg, 'rig/templates'));
    expect(statSync(dir ?? '').mode & 0o777).toBe(0o700);
    expect(templateCacheDir({ XDG_CACHE_HOME: xdg, NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
    const open = tmp();
    mkdirSync(path.join(open, 'rig'), { mode: 0o777 });
    chmodSync(path.join(open, 'rig'), 0o777);
    expect(templateCacheDir({ XDG_CACHE_HOME: open })).toBeUndefined();
  });
});
