// The compiled CLI that tests run as a process of its own (bin/rig.js), built as `make build` builds it: tsc into
// dist/src, then the bundle in dist/bundle (scripts/build-bundle.mjs). `make test` builds first, so here it is a no-op
// unless a source changed; this keeps each such file runnable on its own.
import { execa } from 'execa';
import { REPO_ROOT } from './project.js';

export async function buildCli(): Promise<void> {
  await execa('make', ['-s', 'build'], { cwd: REPO_ROOT });
}
