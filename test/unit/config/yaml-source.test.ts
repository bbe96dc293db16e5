import { describe, expect, it } from 'vitest';
import { parseYamlSource, VaultText } from '../../../src/config/yaml-source.js';

describe('parseYamlSource', () => {
  it('reports duplicate keys and syntax errors with file:line:col, all at once', () => {
    const s = parseYamlSource('f.yml', 'a: 1\na: 2\nb: [1,\n');
    expect(s.diagnostics.map((d) => `${d.loc?.line}:${d.loc?.col} ${d.message}`)).toEqual([
      '2:1 duplicate key (YAML map keys must be unique)',
      expect.stringMatching(/^4:1 /),
    ]);
  });

  it('locates nested values and keys', () => {
    const s = parseYamlSource('f.yml', 'a: 1\nb:\n  d: [1, 2]\n  e:\n    f: x\n');
    expect(s.diagnostics).toEqual([]);
    expect(s.locate(['b', 'd', 1])).toEqual({ file: 'f.yml', line: 3, col: 10 });
    expect(s.locateKey(['b', 'e'])).toEqual({ file: 'f.yml', line: 4, col: 3 });
    expect(s.locate(['b', 'missing', 'deeper'])).toEqual({ file: 'f.yml', line: 3, col: 3 });
  });

  it('turns !vault scalars into VaultText with their location', () => {
    const s = parseYamlSource('f.yml', 'b:\n  c: !vault |\n    $ANSIBLE_VAULT;1.1;AES256\n    6162\n  d: plain\n');
    const js = s.toJS() as { b: { c: VaultText; d: string } };
    expect(js.b.d).toBe('plain');
    expect(js.b.c).toBeInstanceOf(VaultText);
    expect(js.b.c.envelope).toBe('$ANSIBLE_VAULT;1.1;AES256\n6162\n');
    expect(js.b.c.loc).toEqual({ file: 'f.yml', line: 2, col: 13 });
  });
});
