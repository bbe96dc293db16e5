// `rig releases`: the releases kept on each host, newest first, the current one marked.
import { listReleases } from '../../../release/release-store.js';
import type { Release } from '../../../release/release-schema.js';
import type { CliIo } from '../../io.js';
import { queryHosts } from '../../remote/host-query.js';
import { plural } from '../../../core/plural.js';

/** Exit 0 when every host answered, 1 otherwise. */
export async function releasesCommand(args: string[], io: CliIo): Promise<number> {
  const { project, answers, flags } = await queryHosts('releases', args, io, (t, h) =>
    listReleases(t, h.stack.stateDir, h.connection.become),
  );
  if (flags.json === true) {
    io.out(
      JSON.stringify(
        project.redactor.redactValue(
          answers.map((a) =>
            'error' in a
              ? a
              : { host: a.host, current: a.value.current ?? null, releases: a.value.releases.map(summary) },
          ),
        ),
        null,
        2,
      ),
    );
  } else {
    for (const a of answers) {
      if ('error' in a) {
        io.out(`${a.host}: ${a.error.split('\n').join('\n  ')}`);
        continue;
      }
      io.out(
        `${a.host}: ${a.value.releases.length === 0 ? 'no releases' : `${a.value.releases.length} release${a.value.releases.length === 1 ? '' : 's'}`}`,
      );
      for (const r of a.value.releases) io.out(`  ${r.id === a.value.current ? '*' : ' '} ${line(r)}`);
    }
  }
  return answers.every((a) => !('error' in a)) ? 0 : 1;
}

function summary(r: Release) {
  return {
    id: r.id,
    kind: r.kind,
    ...(r.from ? { from: r.from } : {}),
    deployId: r.deployId ?? null,
    createdAt: r.createdAt,
    user: r.user,
    workstation: r.workstation,
    git: r.git,
    services: r.services.map((s) => ({ name: s.name, image: s.requested, imageId: s.imageId })),
    files: r.files.length,
  };
}

/**
 * `20261201T071500Z-ab12  2026-12-01T07:15:00Z  alice@laptop  deploy 3f9c0a1b2c3d  git 1a2b3c4d5e6f+dirty  3 services,
 * 8 files`: the deploy id is the run that made it (the same on every host it changed; `rig rollback` undoes one run).
 */
function line(r: Release): string {
  const git = r.git ? `git ${r.git.commit.slice(0, 12)}${r.git.dirty ? '+dirty' : ''}` : 'no git';
  const run = r.deployId ?? '(no id: an earlier rig)';
  const kind = r.kind === 'rollback' ? `rollback ${run} to ${r.from ?? '?'}` : `deploy ${run}`;
  return `${r.id}  ${r.createdAt}  ${r.user}@${r.workstation}  ${kind}  ${git}  ${plural(r.services.length, 'service')}, ${plural(r.files.length, 'file')}`;
}
