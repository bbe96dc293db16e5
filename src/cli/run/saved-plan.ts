// `rig deploy --plan FILE`: apply a plan saved by `rig plan --json FILE` only if the hosts have not moved since.
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../../core/errors/errors.js';
import type { HostResult } from '../../engine/host-run.js';
import { z } from 'zod';

/** What deploy needs from a saved plan; the file is user input, so it is validated, not trusted. */
const SavedPlanSchema = z.object({
  version: z.literal(1),
  env: z.string(),
  hosts: z.array(z.object({ host: z.string(), observed: z.string(), steps: z.array(z.unknown()) })),
});

/**
 * The saved file was redacted when written, so the fresh steps are compared in redacted form too.
 * Throws a UserError when the saved plan is not what a deploy would do now: another env, another host set,
 * facts that changed on a host (its `observed` digest), or different steps (the repository changed).
 */
export function checkSavedPlan(
  file: string,
  env: string,
  fresh: readonly HostResult[],
  redact: (text: string) => string,
): void {
  if (!existsSync(file)) throw new UserError(`--plan ${file}: no such file`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`--plan ${file}: not a rig plan (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = SavedPlanSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(
      `--plan ${file}: not a rig plan of this version (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  const saved = parsed.data;
  if (saved.env !== env) throw new UserError(`--plan ${file} was made for environment ${saved.env}, not ${env}`);
  const moved: string[] = [];
  for (const r of fresh) {
    const old = saved.hosts.find((h) => h.host === r.host);
    if (!old) moved.push(`${r.host}: not in the saved plan`);
    else if (!r.plan) moved.push(`${r.host}: could not be planned now (${r.status})`);
    else if (old.observed !== r.plan.observed) moved.push(`${r.host}: its files changed since the plan was made`);
    else if (JSON.stringify(old.steps) !== redact(JSON.stringify(r.plan.steps)))
      moved.push(`${r.host}: the repository now asks for other steps`);
  }
  for (const h of saved.hosts)
    if (!fresh.some((r) => r.host === h.host)) moved.push(`${h.host}: in the saved plan but not selected now`);
  if (moved.length > 0)
    throw new UserError(`stale plan ${file}; nothing was changed; run rig plan again:\n  ${moved.join('\n  ')}`);
}
