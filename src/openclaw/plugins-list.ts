// Parser of `openclaw plugins list --json` (OpenClaw 2026.9.6): which plugins are loaded, and the state of the others.
//
// Shape (recorded in test/fixtures/openclaw/plugins-list*.json): `{ workspaceDir, workspaceScope, registry, plugins[],
// diagnostics[] }`; each plugin has some forty fields, of which this reads `id`, `enabled`, `status` ("loaded",
// "disabled", "error", …), `channelIds` and `origin`. Other fields are the product's business, so they pass unchecked.
import { z } from 'zod';

const PluginRowSchema = z.looseObject({
  id: z.string().min(1),
  enabled: z.boolean(),
  status: z.string().min(1),
  channelIds: z.array(z.string()).default([]),
  origin: z.string().optional(),
  error: z.string().optional(),
});

const PluginsListSchema = z.looseObject({
  plugins: z.array(PluginRowSchema),
  diagnostics: z.array(z.unknown()).default([]),
});

/** One plugin as `plugins list --json` reports it. */
export interface PluginRow {
  readonly id: string;
  readonly enabled: boolean;
  readonly status: string;
  readonly channelIds: readonly string[];
  readonly origin?: string | undefined;
  readonly error?: string | undefined;
}

/** The parsed list: every plugin, and the ids whose status is `loaded`. */
export interface PluginsList {
  readonly plugins: readonly PluginRow[];
  readonly loaded: readonly string[];
  readonly diagnostics: readonly unknown[];
}

/** The output was not the JSON document `plugins list --json` prints. */
export class PluginsListParseError extends Error {
  constructor(reason: string, stdout: string) {
    super(`openclaw plugins list --json: ${reason} (output starts: ${JSON.stringify(stdout.slice(0, 120))})`);
    this.name = 'PluginsListParseError';
  }
}

/** Parses the stdout of `openclaw plugins list --json`; a log line before the document is skipped. */
export function parsePluginsList(stdout: string): PluginsList {
  const parsed = PluginsListSchema.safeParse(parseJsonDocument(stdout));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first === undefined ? '' : `${first.path.map(String).join('.')}: `;
    throw new PluginsListParseError(`unexpected shape, ${where}${first?.message ?? 'invalid'}`, stdout);
  }
  const plugins = parsed.data.plugins.map((p): PluginRow => ({
    id: p.id,
    enabled: p.enabled,
    status: p.status,
    channelIds: p.channelIds,
    origin: p.origin,
    error: p.error,
  }));
  return {
    plugins,
    loaded: plugins.filter((p) => p.status === 'loaded').map((p) => p.id),
    diagnostics: parsed.data.diagnostics,
  };
}

/** The plugins among `ids` that are not `loaded`, with their status (`absent` when the list lacks them). */
export function notLoaded(list: PluginsList, ids: readonly string[]): { id: string; status: string }[] {
  return ids
    .map((id) => ({ id, status: list.plugins.find((p) => p.id === id)?.status ?? 'absent' }))
    .filter((p) => p.status !== 'loaded');
}

function parseJsonDocument(stdout: string): unknown {
  const start = stdout.search(/^\{/m);
  if (start < 0) throw new PluginsListParseError('no JSON object in the output', stdout);
  try {
    return JSON.parse(stdout.slice(start));
  } catch (err) {
    throw new PluginsListParseError(`not JSON (${(err as Error).message})`, stdout);
  }
}
