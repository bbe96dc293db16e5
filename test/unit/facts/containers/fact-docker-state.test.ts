// The docker-state and container-state facts: parsers on output recorded from the real scripts, and their refusals.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NO_LIMITS } from '../../compose/compose-fixtures.js';
import { containerStatesCmd, parseContainerStates } from '../../../../src/facts/containers/container-state.js';
import {
  dockerStateCmd,
  parseDockerState,
  type ContainerState,
  type DockerStateQuery,
} from '../../../../src/facts/containers/docker-state.js';

// The same query and names as test/fixtures/facts/record-docker-state.ts (docker 20.10.24; docker-compose 1.29.2 for
// v1, the Compose v2 2.26.1 plugin for v2), whose project also holds a `compose run` one-off of the service `run`.
const QUERY: DockerStateQuery = {
  project: 'rigfact',
  images: ['local/busybox:1', 'rigfact/absent:1'],
  networks: ['rigfact_back', 'rigfact_default', 'rigfact_absent'],
};
const fixture = (name: string): string =>
  readFileSync(new URL(`../../../fixtures/facts/${name}`, import.meta.url), 'utf8');
const BUSYBOX = 'sha256:ded9e44f486cbfa2b061f0371ab4d67b73eee03714f14fc894c6ff9a4d668d3e';
const FLAVORS = {
  v1: {
    compose: { flavor: 'v1', version: '1.29.2', cli: 'standalone' },
    named: (s: string) => `rigfact_${s}_1`,
    labels: {},
  },
  // v2 adds labels of its own: the image, and depends_on
  v2: {
    compose: { flavor: 'v2', version: '2.26.1-4', cli: 'plugin' },
    named: (s: string) => `rigfact-${s}-1`,
    labels: { 'com.docker.compose.image': BUSYBOX, 'com.docker.compose.depends_on': '' },
  },
} as const;
const recorded = fixture('docker-state-v1.txt');

/** The fields of a container that do not change between recordings, by service. */
function summary(c: ContainerState): object {
  const { id: _id, startedAt: _s, labels: _l, ...rest } = c;
  return rest;
}

describe.each(['v1', 'v2'] as const)('parseDockerState on output recorded under Compose %s', (flavor) => {
  const { compose, named, labels } = FLAVORS[flavor];
  const raw = fixture(`docker-state-${flavor}.txt`);
  const state = parseDockerState(raw, QUERY);
  const byService = new Map(state.containers.map((c) => [c.service, c]));

  it('detects the compose, its version and how it is invoked, and the engine', () => {
    expect(state.compose).toEqual(compose);
    expect(state.engine).toEqual({ version: '20.10.24+dfsg1', minApi: '1.12' });
    expect(state.userPlugin).toBeUndefined();
  });

  it('reads every container of the project, running or not, with status, exit code, restarts, health, networks and limits', () => {
    // no restart policy in the file: docker says `` (the recordings set no limits; flaky has on-failure:2)
    const limits = { ...NO_LIMITS, restart: '' };
    const base = {
      image: BUSYBOX,
      project: 'rigfact',
      exitCode: 0,
      restartCount: 0,
      networks: ['rigfact_default'],
      limits,
    };
    const running = { ...base, status: 'running', running: true };
    expect(Object.fromEntries([...byService].map(([s, c]) => [s, summary(c)]))).toEqual({
      run: { ...running, name: named('run'), service: 'run' },
      exit3: { ...base, name: named('exit3'), service: 'exit3', status: 'exited', running: false, exitCode: 3 },
      flaky: {
        ...base,
        name: named('flaky'),
        service: 'flaky',
        status: 'exited',
        running: false,
        exitCode: 1,
        restartCount: 2,
        limits: { ...limits, restart: 'on-failure', restartRetries: 2 },
      },
      healthy: { ...running, name: named('healthy'), service: 'healthy', health: 'healthy' },
      sick: { ...running, name: named('sick'), service: 'sick', health: 'unhealthy' },
      idle: {
        ...base,
        name: named('idle'),
        service: 'idle',
        status: 'created',
        running: false,
        networks: ['rigfact_back'],
      },
    });
    for (const c of state.containers) expect(c.id).toMatch(/^[0-9a-f]{64}$/);
    expect(byService.get('idle')?.startedAt).toBe('0001-01-01T00:00:00Z');
    expect(byService.get('run')?.startedAt).toMatch(/^2\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    expect('health' in byService.get('run')!).toBe(false);
  });

  it('leaves out the `compose run` one-off, which the script did read', () => {
    expect(raw.match(/"com\.docker\.compose\.oneoff":"True"/g)).toHaveLength(1);
    expect(state.containers).toHaveLength(6);
    expect(state.nameHolders).toEqual([]);
    expect(
      [...state.containers, ...state.nameHolders].some(
        (c) => c.name.includes('_run_run_') || c.name.includes('-run-run-'),
      ),
    ).toBe(false);
  });

  it('keeps labels byte for byte, including compose labels and a value with quotes, $(…) and a newline', () => {
    const run = byService.get('run')!;
    expect(run.labels).toMatchObject({
      'com.docker.compose.project': 'rigfact',
      'com.docker.compose.service': 'run',
      'com.docker.compose.container-number': '1',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.version': compose.version.replace(/-\d+$/, ''),
      'com.docker.compose.project.working_dir': '/tmp/rigfact-record',
      'com.docker.compose.project.config_files': '/tmp/rigfact-record/compose.yml',
      'rig.test.awkward': `it's "quoted" $(x)\nsecond line`,
      ...labels,
    });
    expect(run.labels['com.docker.compose.config-hash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports images and networks by the name asked, undefined when absent', () => {
    expect(Object.fromEntries(state.images)).toEqual({
      'local/busybox:1': { id: BUSYBOX, repoDigests: [] },
      'rigfact/absent:1': undefined,
    });
    const version = compose.version.replace(/-\d+$/, '');
    const net = (network: string): Record<string, string> => ({
      'com.docker.compose.network': network,
      'com.docker.compose.project': 'rigfact',
      'com.docker.compose.version': version,
    });
    expect(Object.fromEntries(state.networks)).toEqual({
      rigfact_back: { name: 'rigfact_back', internal: true, labels: net('back') },
      rigfact_default: { name: 'rigfact_default', internal: false, labels: net('default') },
      rigfact_absent: undefined,
    });
  });

  it('container-state returns the containers that exist, in the order asked', () => {
    const names = [named('run'), named('gone'), named('exit3')];
    const states = parseContainerStates(fixture(`docker-state-containers-${flavor}.txt`), names);
    expect(states.map((c) => [c.name, c.status, c.exitCode])).toEqual([
      [named('run'), 'running', 0],
      [named('exit3'), 'exited', 3],
    ]);
    expect(parseContainerStates(fixture(`docker-state-containers-${flavor}.txt`)).map((c) => c.name)).toEqual([
      named('run'),
      named('exit3'),
    ]);
  });
});

describe('parseContainerStates on recorded output', () => {
  it('drops a record docker found by ID prefix instead of by the name asked', () => {
    const line = recorded.split('\n').find((l) => l.includes('"/rigfact_run_1"'))!;
    expect(parseContainerStates(`--containers\n${line}\n--end\n`, ['5dfdf86a'])).toEqual([]);
    expect(() => parseContainerStates(`--containers\n${line}\n--end\n`, ['a', 'b'])).toThrow(
      'container-state: expected 2 records, got 1',
    );
  });
});

describe('parseDockerState refuses what it does not understand', () => {
  const q: DockerStateQuery = { project: 'p', images: ['img:1'], networks: ['net'] };
  const container = recorded.split('\n').find((l) => l.includes('"/rigfact_exit3_1"'))!;
  const out = (
    c: string,
    i = 'missing\n',
    n = 'missing\n',
    compose = 'plugin Docker Compose version v2.29.1\n',
    socket = '999\n',
  ): string => `--containers\n${c}--images\n${i}--networks\n${n}--socket\n${socket}--compose\n${compose}--end\n`;

  it('parses a well-formed minimal output (and a v2 version with a leading v)', () => {
    expect(parseDockerState(out(''), q)).toEqual({
      compose: { flavor: 'v2', version: '2.29.1', cli: 'plugin' },
      containers: [],
      nameHolders: [],
      images: new Map([['img:1', undefined]]),
      networks: new Map([['net', undefined]]),
      socketGid: 999,
    });
    expect(parseDockerState(out('', undefined, undefined, undefined, 'missing\n'), q).socketGid).toBeUndefined();
    expect(() => parseDockerState(out('', undefined, undefined, undefined, 'docker\n'), q)).toThrow(
      'docker-state: malformed --socket section "docker"',
    );
    expect(
      parseDockerState(out('', undefined, undefined, 'standalone Docker Compose version v2.0.1\n'), q).compose,
    ).toEqual({ flavor: 'v2', version: '2.0.1', cli: 'standalone' });
    expect(parseDockerState(out('', undefined, undefined, 'none\n'), q).compose).toBeUndefined();
    expect(parseDockerState(out('missing\n'), q).containers).toEqual([]);
  });

  it.each([
    ['no output at all', '', 'docker-state: output has no --containers section where expected'],
    ['output cut short in a line', out('').slice(0, -3), 'docker-state: output does not end with a newline'],
    ['output cut short between sections', out('').slice(0, -6), 'docker-state: output has no --end section'],
    ['no --end', out('').replace('--end\n', ''), 'no --end section'],
    ['a missing section', out('').replace('--images\nmissing\n', ''), 'no --images section'],
    ['text before the first section', `oops\n${out('')}`, 'no --containers section where expected'],
    ['text after --end', `${out('')}x\n`, 'unexpected output after --end'],
    ['a bad JSON line', out('{"id":\n'), 'docker-state: container record 1 is not JSON: "{\\"id\\":"'],
    [
      'an unknown container status',
      out(container.replace('"exited"', '"zombie"') + '\n'),
      'container record 1 is malformed at status',
    ],
    ['an unknown field', out(container.replace('{"id"', '{"extra":1,"id"') + '\n'), 'container record 1 is malformed'],
    ['too few image records', out('', ''), 'expected 1 image records, got 0'],
    ['too many network records', out('', undefined, 'missing\nmissing\n'), 'expected 1 network records, got 2'],
    [
      'a malformed image record',
      out('', '{"id":"nope","repoDigests":[]}\n'),
      'image record for "img:1" is malformed at id',
    ],
    ['an empty compose section', out('', undefined, undefined, ''), 'malformed --compose section ""'],
    ['a garbled compose section', out('', undefined, undefined, 'v1 \n'), 'malformed --compose section "v1 "'],
  ])('%s', (_name, stdout, message) => {
    expect(() => parseDockerState(stdout, q)).toThrow(message);
  });

  it('treats a network found by ID prefix, under another name, as missing', () => {
    const net = '{"name":"bridge","internal":false,"labels":{}}\n';
    expect(
      parseDockerState(out('', undefined, net), { ...q, networks: ['33b0'] }).networks.get('33b0'),
    ).toBeUndefined();
    expect(parseDockerState(out('', undefined, net), { ...q, networks: ['bridge'] }).networks.get('bridge')).toEqual({
      name: 'bridge',
      internal: false,
      labels: {},
    });
  });
});

describe('the fact commands', () => {
  it('dockerStateCmd is one /bin/sh -c script; project, count, refs and names ride as positional arguments', () => {
    const q = { project: "p'$(x)", images: ['-xq', 'a b'], networks: ['"net"', '$(reboot)'] };
    const c = dockerStateCmd(q);
    expect(c.argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.argv.slice(3)).toEqual(['sh', "p'$(x)", '2', '-xq', 'a b', '"net"', '$(reboot)']);
    for (const v of [q.project, ...q.images, ...q.networks]) expect(c.argv[2]).not.toContain(v);
    expect(() => dockerStateCmd({ ...q, project: '' })).toThrow('project name must not be empty');
    expect(() => dockerStateCmd({ ...q, images: [''] })).toThrow('must not be empty');
  });

  it('containerStatesCmd takes the names as positional arguments', () => {
    const c = containerStatesCmd(['a', '-b']);
    expect(c.argv.slice(3)).toEqual(['sh', 'a', '-b']);
    expect(() => containerStatesCmd([''])).toThrow('must not be empty');
  });
});
