// How to reach a host: rig's connection variables, with Ansible's names accepted as aliases.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Diagnostics } from '../../core/errors/diagnostic.js';
import type { ResolvedVar } from '../vars/resolve-vars.js';
import { LAYERS, type VarEntry } from '../vars/var-entry.js';

/** Canonical connection fields and the variable names that set each (rig's name first). */
export const CONNECTION_ALIASES = {
  host: ['host', 'ansible_host', 'ansible_ssh_host'],
  port: ['port', 'ansible_port', 'ansible_ssh_port'],
  user: ['user', 'ansible_user', 'ansible_ssh_user'],
  ssh_key: ['ssh_key', 'ansible_ssh_private_key_file'],
  become: ['become', 'ansible_become'],
} as const;

export type ConnectionField = keyof typeof CONNECTION_ALIASES;

const FIELD_SCHEMAS = {
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  user: z.string().min(1),
  ssh_key: z.string().min(1),
  become: z.union([z.boolean(), z.enum(['true', 'false', 'yes', 'no']).transform((s) => s === 'true' || s === 'yes')]),
} satisfies Record<ConnectionField, z.ZodType>;

export interface Connection {
  /** Address or ssh_config alias to connect to (defaults to the inventory name, as in Ansible). */
  readonly host: string;
  /** Undefined means "as ~/.ssh/config or 22 says". */
  readonly port: number | undefined;
  readonly user: string | undefined;
  readonly sshKey: string | undefined;
  /** Run commands through `sudo -n` when the user is not root. */
  readonly become: boolean;
}

/** The canonical field a variable name sets, if it is a connection variable. */
export function connectionField(name: string): ConnectionField | undefined {
  for (const [field, names] of Object.entries(CONNECTION_ALIASES) as [ConnectionField, readonly string[]][]) {
    if (names.includes(name)) return field;
  }
  return undefined;
}

/** Reads the connection of `hostName` from its resolved variables; `fallbackKey` is the workstation's RIG_SSH_KEY. */
export function resolveConnection(
  hostName: string,
  vars: ReadonlyMap<string, ResolvedVar>,
  diagnostics: Diagnostics,
  opts: { fallbackKey?: string | undefined; root: string },
): Connection {
  const pick = (field: ConnectionField): unknown => {
    const set = CONNECTION_ALIASES[field].map((n) => vars.get(n)).filter((v): v is ResolvedVar => v !== undefined);
    const winner = highestPrecedence(set, hostName, diagnostics);
    if (!winner) return undefined;
    const parsed = FIELD_SCHEMAS[field].safeParse(winner.value);
    if (parsed.success) return parsed.data;
    diagnostics.error(`${winner.name}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`, winner.loc, [hostName]);
    return undefined;
  };
  const sshKey = (pick('ssh_key') as string | undefined) ?? opts.fallbackKey;
  return {
    host: (pick('host') as string | undefined) ?? hostName,
    port: pick('port') as number | undefined,
    user: pick('user') as string | undefined,
    sshKey: sshKey === undefined ? undefined : expandPath(sshKey, opts.root),
    become: (pick('become') as boolean | undefined) ?? false,
  };
}

/**
 * Among aliases set for one field, the last in precedence wins; two aliases at the same layer disagreeing is an error.
 */
function highestPrecedence(set: ResolvedVar[], hostName: string, diagnostics: Diagnostics): ResolvedVar | undefined {
  if (set.length <= 1) return set[0];
  const sorted = [...set].sort((a, b) => layerIndex(a) - layerIndex(b));
  const top = sorted[sorted.length - 1] as ResolvedVar;
  for (const other of sorted.slice(0, -1)) {
    // Across hosts.yml listings of one host this is reported by checkHostListings, with both places.
    const sameBlock = other.loc.file === top.loc.file && top.layer !== 'inventory host vars';
    if (
      sameBlock &&
      layerIndex(other) === layerIndex(top) &&
      JSON.stringify(other.value) !== JSON.stringify(top.value)
    ) {
      diagnostics.error(
        `${top.name} and ${other.name} both set the connection ${String(connectionField(top.name))} with different values`,
        top.loc,
        [hostName],
      );
    }
  }
  return top;
}

function layerIndex(v: VarEntry): number {
  return LAYERS.indexOf(v.layer);
}

function expandPath(p: string, root: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1));
  return path.isAbsolute(p) ? p : path.resolve(root, p);
}
