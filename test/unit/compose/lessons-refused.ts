// The rows of docs/lessons.md §10 that lint and plan refuse (lessons-*.test.ts, one file per concern so the unit
// workers share them): the check every row runs, and what a row says.
import { expect } from 'vitest';
import type { Severity } from '../../../src/core/errors/diagnostic.js';
import { baseline, type Edit, lint, plan, repo, SECRETS } from './lessons-repo.js';

/** Who says it: `rig plan` (before any host), `rig lint`, or both. */
export type By = 'plan' | 'lint' | 'plan+lint';

/** A lesson, the edit that brings its broken config back, and what rig says: severity, by whom, the line's start. */
export type Refusal = [lesson: string, edit: Edit, severity: Severity, by: By, expected: string];

export const PIN = 'pin an exact version (and run make pin)';

/**
 * The baseline passes; with `edit`, `rig plan` reports `expected` once at `severity` and `rig lint` prints it once
 * and fails (each as `by` says); no secret of the vault shows in either.
 */
export async function expectRefused(...[, edit, severity, by, expected]: Refusal): Promise<void> {
  const [fixed, fixedLint] = await baseline();
  expect(fixed.said).toEqual([]);
  expect(fixedLint.code).toBe(0);
  const root = repo(edit);
  const [planned, linted] = await Promise.all([
    by === 'lint' ? undefined : plan(root),
    by === 'plan' ? undefined : lint(root),
  ]);
  const said = planned?.said.map((s) => s.text) ?? [];
  if (planned) {
    const severities = planned.said.filter((s) => s.text.startsWith(expected)).map((s) => s.severity);
    expect(severities, said.join('\n')).toEqual([severity]);
  }
  if (linted) {
    const count = linted.lines.filter((l) => l.startsWith(expected)).length;
    expect([count, linted.code], linted.lines.join('\n')).toEqual([1, 1]);
  }
  for (const secret of Object.values(SECRETS))
    expect([...said, ...(linted?.lines ?? [])].join('\n')).not.toContain(secret);
}
