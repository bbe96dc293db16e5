// Workstation settings: the process environment over `.env` (dotenv), one zod schema, defaults or fail-fast errors.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as Dotenv from 'dotenv';
import { z } from 'zod';
import { Diagnostics, type SourceLocation } from '../core/errors/diagnostic.js';
import { didYouMean } from '../core/suggest.js';

const existingFile = (what: string) =>
  z
    .string()
    .min(1)
    .refine((p) => existsSync(p), { message: `${what}: no such file` });

/**
 * Every setting rig reads from the workstation. `.env` never overrides the inventory: these are fallbacks and defaults.
 */
export const SettingsSchema = z.strictObject({
  RIG_ENV: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('local')
    .describe('Environment used when --env is not given'),
  RIG_VAULT_PASSWORD_FILE: existingFile('vault password file')
    .optional()
    .describe('Vault password file (or executable printing it)'),
  RIG_SSH_KEY: existingFile('SSH key').optional().describe('Private key used for hosts whose inventory sets none'),
  RIG_FORKS: z.coerce.number().int().min(1).max(256).default(100).describe('Hosts handled in parallel'),
  RIG_CONNECT_TIMEOUT: z.coerce
    .number()
    .min(1)
    .max(600)
    .optional()
    .describe("SSH connect timeout per host, seconds (unset: ssh_config's ConnectTimeout for the host, else 10)"),
  RIG_FACTS_TIMEOUT: z.coerce
    .number()
    .min(1)
    .max(3600)
    .default(120)
    .describe(
      "Deadline of a host's facts exec (plan, deploy, drift, status), seconds: a command hanging there (a hung dockerd) fails that host",
    ),
  RIG_TELEGRAM_API_BASE: z
    .url({ protocol: /^https?$/ })
    .default('https://api.telegram.org')
    .describe('Telegram Bot API base URL (a local server in tests and the demo)'),
});

export type Settings = z.infer<typeof SettingsSchema>;

/**
 * Reads `<root>/.env` (when present) and `env`, the process environment winning, and validates the RIG_* keys.
 * Unknown RIG_* keys in .env are errors (typos); relative paths are taken from the repository root.
 */
export function loadSettings(root: string, env: Readonly<Record<string, string | undefined>>): Settings {
  const diagnostics = new Diagnostics();
  const file = path.join(root, '.env');
  // dotenv loads only when a .env exists (~20 ms of startup otherwise).
  const fromFile = existsSync(file)
    ? (createRequire(import.meta.url)('dotenv') as typeof Dotenv).parse(readFileSync(file))
    : {};
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const known = Object.keys(SettingsSchema.shape);
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(fromFile)) {
    if (!k.startsWith('RIG_')) continue;
    if (!known.includes(k))
      diagnostics.error(`unknown setting ${k}${didYouMean(k, known)}`, keyLocation(file, text, k));
    else merged[k] = v;
  }
  for (const k of known) {
    const v = env[k];
    if (v !== undefined && v !== '') merged[k] = v;
  }
  for (const k of ['RIG_VAULT_PASSWORD_FILE', 'RIG_SSH_KEY']) {
    const v = merged[k];
    if (v !== undefined) merged[k] = path.resolve(root, v.replace(/^~(?=\/|$)/, env['HOME'] ?? '~'));
  }
  const parsed = SettingsSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      const where = env[key] !== undefined && env[key] !== '' ? 'environment' : undefined;
      diagnostics.error(
        `${key}: ${issue.message}${where ? ' (from the environment)' : ''}`,
        where ? undefined : keyLocation(file, text, key),
      );
    }
  }
  diagnostics.throwIfErrors();
  return parsed.data as Settings;
}

function keyLocation(file: string, text: string, key: string): SourceLocation | undefined {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${key}\\s*=`).test(l));
  return i < 0 ? undefined : { file, line: i + 1, col: (lines[i]?.indexOf(key) ?? 0) + 1 };
}
