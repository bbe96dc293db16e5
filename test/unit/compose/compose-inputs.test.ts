// A service's digested inputs: which keys count, how env files and bind-mounted files are found, the label round trip.
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  fingerprintOf,
  inputsLabel,
  parseInputsLabel,
  pinnedDigest,
  serviceInputs,
  SHORT,
  type InputFiles,
} from '../../../src/compose/service-inputs.js';
import { sha256Hex } from '../../../src/core/digest.js';
import { serviceSpecSchema, type ServiceSpecInput } from '../../../src/core/desired/service.js';

const spec = (s: ServiceSpecInput) => serviceSpecSchema.parse(s);
const def = (value: unknown): string => sha256Hex(JSON.stringify(value));
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const H = 'c'.repeat(64);
const noFiles: InputFiles = { managed: new Map(), onHost: () => undefined };
const DIGEST = `sha256:${'d'.repeat(64)}`;

describe('serviceInputs', () => {
  it('digests each non-empty definition key; the schema defaults that are empty are left out', () => {
    expect(serviceInputs(spec({ image: 'app:1' }), noFiles)).toEqual({
      'def:image': def('app:1'),
      'def:restart': def('unless-stopped'),
    });
  });

  it('keys come sorted: definition keys, then env files, files, and the pinned digest', () => {
    const s = spec({
      image: `reg/app@${DIGEST}`,
      ports: ['80:80'],
      environment: { A: '1' },
      envFiles: ['/e/a.env'],
      mounts: [{ type: 'bind', source: '/m', target: '/m' }],
      cpus: 2,
    });
    const files: InputFiles = { managed: new Map([['/m/f', A]]), onHost: () => undefined };
    expect(Object.keys(serviceInputs(s, files))).toEqual([
      'def:cpus',
      'def:envFiles',
      'def:environment',
      'def:image',
      'def:mounts',
      'def:ports',
      'def:restart',
      'env:/e/a.env',
      'file:/m/f',
      'image@',
    ]);
    expect(serviceInputs(s, files)['image@']).toBe(DIGEST);
    expect(serviceInputs(s, files)['def:mounts']).toBe(
      sha256Hex('[{"readOnly":false,"source":"/m","target":"/m","type":"bind"}]'),
    );
  });

  it('an env file digests as rig writes it, else as the host has it, else `missing`', () => {
    const s = spec({ image: 'x', envFiles: ['/srv/managed.env', '/srv/host.env', '/srv/gone.env'] });
    const files: InputFiles = {
      managed: new Map([['/srv/managed.env', A]]),
      onHost: (p) => (p === '/srv/host.env' || p === '/srv/managed.env' ? H : undefined),
    };
    const inputs = serviceInputs(s, files);
    expect([inputs['env:/srv/managed.env'], inputs['env:/srv/host.env'], inputs['env:/srv/gone.env']]).toEqual([
      A,
      H,
      'missing',
    ]);
  });

  it('a bind mount of a directory picks the managed files under it, not a sibling with a common prefix', () => {
    const s = spec({
      image: 'x',
      mounts: [
        { type: 'bind', source: '/a/b', target: '/b' },
        { type: 'bind', source: '/c/', target: '/c' },
        { type: 'bind', source: '/d.conf', target: '/d.conf' },
        { type: 'volume', source: 'vol', target: '/v' },
      ],
    });
    const managed = new Map([
      ['/a/b/x.conf', A],
      ['/a/b/sub/y.conf', B],
      ['/a/bc/z.conf', H],
      ['/a/b', H],
      ['/c/k', A],
      ['/d.conf', B],
      ['/d.conf.bak', A],
      ['/vol/q', A],
    ]);
    const fileKeys = Object.entries(serviceInputs(s, { managed, onHost: () => undefined })).filter(([k]) =>
      k.startsWith('file:'),
    );
    expect(fileKeys).toEqual([
      ['file:/a/b/x.conf', A],
      ['file:/a/b/sub/y.conf', B],
      ['file:/a/b', H],
      ['file:/c/k', A],
      ['file:/d.conf', B],
    ]);
  });

  it('definition digests do not depend on the key order of maps', () => {
    const one = serviceInputs(
      spec({ image: 'x', environment: { A: '1', B: '2' }, labels: { y: '1', x: '2' } }),
      noFiles,
    );
    const two = serviceInputs(
      spec({ labels: { x: '2', y: '1' }, environment: { B: '2', A: '1' }, image: 'x' }),
      noFiles,
    );
    expect(two).toEqual(one);
    expect(one['def:environment']).toBe(sha256Hex('{"A":"1","B":"2"}'));
  });

  it('adding a value to an empty default shows as a new key', () => {
    const inputs = serviceInputs(spec({ image: 'x', capDrop: ['ALL'] }), noFiles);
    expect(inputs['def:capDrop']).toBe(def(['ALL']));
  });
});

describe('fingerprintOf and canonicalJson', () => {
  it('the fingerprint is sha256 of the canonical JSON of the inputs, whatever their order', () => {
    expect(fingerprintOf({ b: '2', a: '1' })).toBe(sha256Hex('{"a":"1","b":"2"}'));
    expect(fingerprintOf({ a: '1', b: '2' })).toBe(fingerprintOf({ b: '2', a: '1' }));
    expect(fingerprintOf({ a: '1', b: '3' })).not.toBe(fingerprintOf({ a: '1', b: '2' }));
  });

  it('sorts object keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ f: 1, e: 2 }, 'z', null] }, a: null, A: true })).toBe(
      '{"A":true,"a":null,"b":{"c":[{"e":2,"f":1},"z",null],"d":1}}',
    );
    expect(canonicalJson(['b', 'a'])).toBe('["b","a"]');
    expect(canonicalJson('x')).toBe('"x"');
  });
});

describe('inputsLabel and parseInputsLabel', () => {
  const inputs = { 'env:/e.env': A, 'def:image': B, 'image@': DIGEST };

  it('the label keeps the first 16 characters of each digest (the pinned image digest in full), keys sorted', () => {
    expect(SHORT).toBe(16);
    expect(inputsLabel(inputs)).toBe(
      `{"def:image":"${'b'.repeat(16)}","env:/e.env":"${'a'.repeat(16)}","image@":"${DIGEST}"}`,
    );
  });

  it('round-trips to the short digests', () => {
    expect(parseInputsLabel(inputsLabel(inputs))).toEqual({
      'def:image': 'b'.repeat(16),
      'env:/e.env': 'a'.repeat(16),
      'image@': DIGEST,
    });
    expect(parseInputsLabel('{}')).toEqual({});
  });

  it.each([
    ['absent', undefined],
    ['not JSON', 'def:image=abc'],
    ['truncated JSON', '{"def:image":"ab'],
    ['null', 'null'],
    ['an array', '["a"]'],
    ['a string', '"a"'],
    ['a number value', '{"def:image":1}'],
    ['a nested object', '{"def:image":{"x":"y"}}'],
    ['a null value', '{"def:image":null}'],
  ])('rejects %s', (_name, label) => {
    expect(parseInputsLabel(label)).toBeUndefined();
  });
});

describe('pinnedDigest', () => {
  it.each([
    [`app@${DIGEST}`, DIGEST],
    [`reg.example:5000/team/app:1.2@${DIGEST}`, DIGEST],
    ['app:1.2', undefined],
    ['reg.example:5000/app', undefined],
    ['app@latest', undefined],
    ['sha256:abc', undefined],
  ])('%s → %s', (image, expected) => {
    expect(pinnedDigest(image)).toBe(expected);
  });
});

describe('pinnedDigest (through the one image-reference parser)', () => {
  const HEX = 'a'.repeat(64);
  it('is the sha256 digest of a pinned reference, else undefined', () => {
    expect(pinnedDigest(`127.0.0.1:5000/tb/x:1@sha256:${HEX}`)).toBe(`sha256:${HEX}`);
    expect(pinnedDigest(`x@sha256:${HEX}`)).toBe(`sha256:${HEX}`);
    expect(pinnedDigest('127.0.0.1:5000/tb/x:1')).toBeUndefined();
    expect(pinnedDigest(`x@sha512:${'b'.repeat(128)}`)).toBeUndefined();
    expect(pinnedDigest(`X@sha256:${HEX}`)).toBeUndefined();
  });
});
