// Releases around a host run: which release a rollback re-applies, the ops for it, and recording one after a good apply.
import { randomBytes } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type { RoleOps } from '../config/render-roles.js';
import type { StackConfig } from '../config/stack-vars.js';
import { containerName } from '../core/service.js';
import { canonicalJson } from '../compose/service-inputs.js';
import { sha256Hex } from '../core/digest.js';
import { containerStatesCmd, parseContainerStates } from '../facts/container-state.js';
import { dockerStateCmd, parseDockerState } from '../facts/docker-state.js';
import type { PathState } from '../facts/file-state.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import type { HostPlan } from './plan-types.js';
import { buildRelease, releaseOps } from './release-build.js';
import { newReleaseId, type Release } from './release-schema.js';
import { blobPath, fetchBlobs, listReleases, writeRelease } from './release-store.js';
import type { RunContext } from './run-context.js';

/** The release `rig rollback` re-applies: `--to ID`, else the one before the current one. */
export async function pickRollbackTarget(t: Transport, stack: StackConfig, to: string | undefined, become: boolean): Promise<Release> {
  const { current, releases } = await listReleases(t, stack.stateDir, become);
  if (releases.length === 0) throw new UserError(`${t.host}: no releases in ${stack.stateDir}/releases: nothing to roll back to`);
  if (to !== undefined) {
    const found = releases.find((r) => r.id === to);
    if (!found) throw new UserError(`${t.host}: no release ${to}; kept: ${releases.map((r) => r.id).join(', ')}`);
    return found;
  }
  const at = releases.findIndex((r) => r.id === current);
  const previous = releases[at < 0 ? 1 : at + 1];
  if (!previous) throw new UserError(`${t.host}: only release ${releases[0]?.id} is kept (the current one): nothing earlier to roll back to`);
  return previous;
}

/** The ops of `release` for this host: blobs fetched (1 exec), images checked (1 exec) so moved tags pin the old image id. */
export async function opsOfRelease(t: Transport, release: Release, stack: StackConfig, become: boolean): Promise<RoleOps[]> {
  const blobs = await fetchBlobs(t, stack.stateDir, release.files.map((f) => f.sha256), become);
  const refs = [...new Set(release.services.map((s) => s.requested))];
  const query = { project: stack.project, images: refs, networks: [] };
  const docker = refs.length === 0 ? undefined : parseDockerState((await run(t, dockerStateCmd(query), { become })).stdout, query);
  return releaseOps(release, blobs, (ref) => docker?.images.get(ref)?.id);
}

/** The blob paths of a host's file ops (stat'ed with the plan's facts, so a release uploads only new content). */
export function blobPathsOf(roleOps: readonly RoleOps[], stack: StackConfig): string[] {
  return roleOps.filter((r) => r.selected).flatMap((r) => r.ops.flatMap((o) => (o.kind === 'file' ? [blobPath(stack.stateDir, sha256Hex(o.content))] : [])));
}

/** Records the host's state after a good apply as a new release and makes it current. Returns its id. */
export async function recordRelease(
  t: Transport,
  input: { stack: StackConfig; roleOps: readonly RoleOps[]; plan: HostPlan; facts: ReadonlyMap<string, PathState>; previous: Release | undefined; run: RunContext; from?: string },
  become: boolean,
): Promise<string> {
  const { stack, run: ctx } = input;
  const names = input.roleOps.filter((r) => r.selected).flatMap((r) => r.ops.flatMap((o) => (o.kind === 'service' ? [containerName(stack.project, o.name)] : [])));
  const running = names.length === 0 ? [] : parseContainerStates((await run(t, containerStatesCmd(names), { become })).stdout, names);
  const meta = {
    id: newReleaseId(new Date(), randomBytes(2).toString('hex')),
    createdAt: new Date().toISOString(),
    env: ctx.env,
    host: t.host,
    user: ctx.user,
    workstation: ctx.workstation,
    git: ctx.git,
    planHash: sha256Hex(canonicalJson(input.plan.steps)),
    kind: input.from === undefined ? ('deploy' as const) : ('rollback' as const),
    ...(input.from !== undefined ? { from: input.from } : {}),
  };
  const { release, blobs } = buildRelease(meta, stack, input.roleOps, input.previous, running);
  const haveBlobs = new Set([...blobs.keys()].filter((sha) => input.facts.get(blobPath(stack.stateDir, sha))?.kind === 'file'));
  await writeRelease(t, stack.stateDir, release, blobs, { keep: stack.releasesKeep, haveBlobs, become });
  return release.id;
}
