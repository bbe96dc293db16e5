// Sandbox spawn: OpenClaw can start an agent sandbox that sees the role's AGENTS.md at the workspace path (no model
// call).
import { classifySandboxFailure, defineSmoke, explainCmd, parseExplain, sandboxRunCmd } from 'rig';

const HINTS = {
  ENOENT:
    'the workspace path does not exist where the host engine looks: the state dir must be mounted at the identical path inside and outside (§10.5)',
  EACCES:
    "the gateway cannot use the docker socket: its container lacks the socket's group (group_add = the host's socket gid, §10.6)",
  'image-missing': 'the sandbox image is not on the host (OpenClaw never pulls it; the openclaw role builds it)',
  'docker-cli-missing': 'no docker CLI in the gateway container (/usr/local/bin/docker)',
  other: 'see the output above',
} as const;

interface SandboxVars {
  readonly docker: { readonly image: string; readonly network?: string; readonly user?: string };
  readonly mode: string;
}

export default defineSmoke({
  id: 'openclaw-sandbox',
  description:
    'OpenClaw starts an agent sandbox (through its own docker CLI and socket) that reads AGENTS.md at the workspace path',
  target: { roles: ['openclaw'], services: ['openclaw'] },
  deadlineSec: 150,
  blocking: true,
  async run(ctx) {
    const sandbox = ctx.vars['openclaw_sandbox'] as SandboxVars;
    const agents = String(ctx.vars['openclaw_agents_md']);
    if (sandbox.mode === 'off')
      return { status: 'skip', evidence: ['openclaw_sandbox.mode is off: OpenClaw starts no sandboxes'] };
    const container = ctx.container('openclaw');
    const ex = await ctx.exec(explainCmd(container));
    if (ex.code !== 0)
      return {
        status: 'fail',
        evidence: [
          `openclaw sandbox explain failed (exit ${ex.code}) in ${container}`,
          ...tail(ex.stderr || ex.stdout),
        ],
      };
    const explain = parseExplain(ex.stdout);
    const ws =
      explain.workspaceMounts.find((m) => m.containerRoot === (explain.runtimeWorkdir ?? '/workspace')) ??
      explain.workspaceMounts[0];
    if (ws === undefined)
      return {
        status: 'fail',
        evidence: [`OpenClaw reports no workspace mount for a sandboxed session (mode ${explain.mode})`],
      };
    const path = `${ws.containerRoot}/AGENTS.md`;
    const name = `${ctx.project}_smoke_sandbox_${Date.now().toString(36)}`;
    const probe = {
      container,
      name,
      image: sandbox.docker.image,
      network: sandbox.docker.network,
      user: sandbox.docker.user,
      mounts: explain.workspaceMounts,
      path,
    };
    const r = await ctx.exec(sandboxRunCmd(probe));
    const where = `${sandbox.docker.image} as ${sandbox.docker.user ?? 'its user'} on ${sandbox.docker.network ?? 'the default network'}, ${ws.hostRoot} → ${ws.containerRoot}`;
    if (r.code !== 0) {
      const cls = classifySandboxFailure(r.code, r.stderr);
      return {
        status: 'fail',
        evidence: [
          `${cls}: the sandbox could not read ${path} (exit ${r.code}): ${HINTS[cls]}`,
          `sandbox: ${where}`,
          ...tail(r.stderr),
        ],
      };
    }
    if (r.stdout !== agents)
      return {
        status: 'fail',
        evidence: [
          `${path} in the sandbox is not the AGENTS.md the role wrote (${r.stdout.length} bytes, want ${agents.length})`,
          `sandbox: ${where}`,
        ],
      };
    return {
      status: 'pass',
      evidence: [
        `a sandbox read ${path} (${r.stdout.length} bytes, the role's AGENTS.md) and was removed`,
        `sandbox: ${where}`,
      ],
    };
  },
});

function tail(text: string): string[] {
  return text.trim().split('\n').slice(-5);
}
