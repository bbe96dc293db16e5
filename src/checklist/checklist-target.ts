// The target of the upgrade: the project with the --upgrade overrides, its images resolved and pinned as a deploy would
// run them.
import path from 'node:path';
import type { Project } from '../config/project.js';
import { renderProject, type RoleOps } from '../config/roles/render-roles.js';
import { DiagnosticsError, formatDiagnostic } from '../core/errors/diagnostic.js';
import { describeError } from '../core/errors/describe-error.js';
import { applyPins } from '../pin/apply-pins.js';
import { envImages } from '../pin/env-images.js';
import { lockFilePath, readLockFile, type LockFile } from '../pin/lockfile.js';
import { resolveServiceImages } from '../pin/service-images.js';
import { local, notRun, type CheckResult } from './checklist-check.js';
import { checkImages } from './checklist-images.js';
import type { Loaded, LoadInput } from './checklist-load.js';
import { planUpgrades, upgradeVars, type Upgrade, type UpgradeRequest } from './checklist-upgrade.js';

/** The upgrade as planned: what it changes, the images check, and the ops to plan and probe (or why there are none). */
export interface TargetStage {
  readonly upgrades: readonly Upgrade[];
  readonly images: CheckResult;
  readonly target: { readonly project: Project; readonly ops: Map<string, RoleOps[]> } | { readonly why: CheckResult };
}

/**
 * Applies the upgrades (`--var <image variable>=<new ref>` over the command line's), renders the target, checks every
 * current and target image against its registry, and pins the target as `rig pin` then `rig deploy` would: the lock's
 * digests, plus the digests the new tags resolve to now (nothing is written). Unknown upgrade names throw a UsageError.
 */
export async function prepareTarget(
  input: LoadInput,
  loaded: Loaded,
  requests: readonly UpgradeRequest[],
): Promise<TargetStage> {
  const upgrades = planUpgrades(requests, loaded.project, loaded.rendered);
  let project = loaded.project;
  let rendered = loaded.rendered;
  if (upgrades.length > 0) {
    try {
      project = await input.open(upgradeVars(upgrades));
      rendered = renderProject(project);
    } catch (err) {
      if (!(err instanceof DiagnosticsError)) throw err;
      const why = local(
        'upgrade-plan',
        'fail',
        ['the target does not load or render', ...err.diagnostics.map((d) => formatDiagnostic(d, input.cwd))],
        0,
      );
      return { upgrades, images: notRun('images', 'the target does not render (see upgrade-plan)'), target: { why } };
    }
  }
  const lockFile = lockFilePath(project.root, project.env);
  let lock: LockFile | undefined;
  try {
    lock = readLockFile(lockFile);
  } catch (err) {
    const images = local('images', 'fail', [describeError(err)], 0);
    return {
      upgrades,
      images,
      target: { why: notRun('upgrade-plan', `${path.relative(input.cwd, lockFile)} does not parse (see images)`) },
    };
  }
  const targetImages = envImages(project, rendered);
  const checked = await checkImages(
    loaded.project,
    envImages(loaded.project, loaded.rendered),
    targetImages,
    lock,
    new Set(upgrades.map((u) => u.to)),
  ).catch((err: unknown) => ({
    result: local('images', 'fail', [describeError(err)], 0),
    added: [],
    unresolved: upgrades.map((u) => u.to),
  }));
  if (checked.unresolved.length > 0)
    return {
      upgrades,
      images: checked.result,
      target: { why: notRun('upgrade-plan', `${checked.unresolved.join(', ')} does not resolve (see images)`) },
    };
  try {
    const virtual = { images: [...(lock?.images ?? []), ...checked.added] };
    const ops = resolveServiceImages(
      applyPins(rendered, targetImages, virtual, {
        env: project.env,
        pinned: project.inventory.settings.pinned,
        lockFile: path.relative(input.cwd, lockFile),
      }),
    );
    return { upgrades, images: checked.result, target: { project, ops } };
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    return {
      upgrades,
      images: checked.result,
      target: {
        why: local(
          'upgrade-plan',
          'fail',
          [
            'the target cannot be pinned as a deploy would',
            ...err.diagnostics.map((d) => formatDiagnostic(d, input.cwd)),
          ],
          0,
        ),
      },
    };
  }
}
