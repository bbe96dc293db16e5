// The sandbox probe's pure parts: the commands (golden), explain's JSON, and the one classifier of a failed spawn's
// stderr, on output recorded from docker 20.10 and OpenClaw 2026.9.6 on this machine.
import { describe, expect, it } from 'vitest';
import { display } from '../../../src/core/cmd/render.js';
import {
  classifySandboxFailure,
  explainCmd,
  parseExplain,
  sandboxRunCmd,
} from '../../../src/openclaw/sandbox-probe.js';

const EXPLAIN = `{
  "docsUrl": "https://docs.openclaw.ai/sandbox",
  "agentId": "main",
  "sandbox": {
    "mode": "non-main", "scope": "agent", "backend": "docker", "workspaceAccess": "rw",
    "workspaceRoot": "/tmp/rig-tb/demo/h1/rigdemo/data/openclaw/sandboxes",
    "effectiveHostWorkspaceRoot": "/tmp/rig-tb/demo/h1/rigdemo/data/openclaw/workspace",
    "runtimeWorkdir": "/workspace",
    "workspaceMounts": [{ "hostRoot": "/tmp/rig-tb/demo/h1/rigdemo/data/openclaw/workspace", "containerRoot": "/workspace", "writable": true, "source": "workspace" }],
    "workspaceSource": "agent", "sessionIsSandboxed": true
  }
}`;

describe('sandbox probe', () => {
  it('asks explain for a non-main session, inside the gateway container', () => {
    expect(display(explainCmd('rigdemo_openclaw'))).toBe(
      'docker exec rigdemo_openclaw openclaw sandbox explain --json --session agent:main:rig-smoke',
    );
  });

  it('parses the mounts of explain --json, skipping a log line before the document', () => {
    const e = parseExplain(`[plugins] warming up\n${EXPLAIN}`);
    expect(e).toMatchObject({ mode: 'non-main', sessionIsSandboxed: true, runtimeWorkdir: '/workspace' });
    expect(e.workspaceMounts).toEqual([
      expect.objectContaining({
        hostRoot: '/tmp/rig-tb/demo/h1/rigdemo/data/openclaw/workspace',
        containerRoot: '/workspace',
        writable: true,
      }),
    ]);
    expect(() => parseExplain('Error: gateway not configured')).toThrow(
      /printed no JSON \(output starts: "Error: gateway not configured"\)/,
    );
    expect(() => parseExplain('{"sandbox": {}}')).toThrow(/unexpected shape/);
  });

  it('starts the sandbox with the configured image, network, user and mounts, never pulling, always removed', () => {
    const cmd = sandboxRunCmd({
      container: 'p_openclaw',
      name: 'p_smoke_sandbox_x',
      image: 'sb:1',
      network: 'p_sandbox',
      user: '1000:1000',
      mounts: [{ hostRoot: '/srv/ws', containerRoot: '/workspace', writable: false }],
      path: '/workspace/AGENTS.md',
    });
    expect(display(cmd)).toBe(
      `docker exec p_openclaw /bin/sh -c 'name=$1; shift; trap '\\''docker rm -f "$name" >/dev/null 2>&1'\\'' EXIT TERM; "$@"' sh p_smoke_sandbox_x docker run --rm --pull never --name p_smoke_sandbox_x --label rig.smoke=sandbox-spawn --network p_sandbox --user 1000:1000 -v /srv/ws:/workspace:ro sb:1 cat /workspace/AGENTS.md`,
    );
  });

  it.each([
    [
      'socket without the group',
      125,
      'docker: permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/create": dial unix /var/run/docker.sock: connect: permission denied.\nSee \'docker run --help\'.',
      'EACCES',
    ],
    ['workspace not where the host engine looks', 1, 'cat: /workspace/AGENTS.md: No such file or directory', 'ENOENT'],
    [
      'sandbox image missing (--pull never)',
      125,
      "docker: Error response from daemon: No such image: rigdemo-sandbox:nope.\nSee 'docker run --help'.",
      'image-missing',
    ],
    [
      'sandbox image missing (an older client that pulls)',
      125,
      "Unable to find image 'rigdemo-sandbox:nope' locally\ndocker: Error response from daemon: pull access denied for rigdemo-sandbox, repository does not exist",
      'image-missing',
    ],
    [
      'no docker CLI in the gateway image',
      126,
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "docker": executable file not found in $PATH: unknown',
      'docker-cli-missing',
    ],
    ['something else', 1, 'cat: /workspace/AGENTS.md: Permission denied', 'other'],
  ] as const)('%s → %s', (_name, code, stderr, cls) => {
    expect(classifySandboxFailure(code, stderr)).toBe(cls);
  });
});
