// zod schemas of the inventory files: Ansible's YAML inventory (hosts.yml) and rig's per-environment settings
// (env.yml).
import { z } from 'zod';

// An inventory name goes into templates (`# managed by rig on {{inventory_hostname}}`), file names and messages: one
// word of letters, digits, `.`, `_`, `-` (a name with a newline or a `#` would write lines of its own); `[`, `]` and
// `:` pass here so that an Ansible host range gets its own message (inventory.ts refuses ranges)
const HostName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:[\]-]*$/, 'a host name: letters, digits, ".", "_" and "-"');

const VarsMapping = z.record(z.string(), z.unknown()).nullish().describe('Variables: name → value');

/** A group in Ansible's YAML inventory format: hosts, vars and child groups, all optional. */
export interface GroupBody {
  hosts?: Record<string, Record<string, unknown> | null | undefined> | null | undefined;
  vars?: Record<string, unknown> | null | undefined;
  children?: Record<string, GroupBody | null> | null | undefined;
}

export const GroupSchema: z.ZodType<GroupBody> = z
  .strictObject({
    hosts: z.record(HostName, VarsMapping).nullish().describe('Hosts of this group, each with optional inline vars'),
    vars: VarsMapping,
    get children() {
      return z.record(z.string(), GroupSchema.nullable()).nullish().describe('Child groups');
    },
  })
  .describe('An inventory group');

/** hosts.yml: top-level groups (normally just `all`). */
export const HostsFileSchema = z
  .record(z.string(), GroupSchema.nullable())
  .describe("rig inventory (Ansible's YAML inventory format)");

export const GROUP_KEYS = ['hosts', 'vars', 'children'] as const;

/** A hook command: a shell line (run by /bin/sh -c) or an argv. */
const HookCommandSchema = z.union([z.string().min(1), z.array(z.string()).min(1)]);

/** Commands run on the workstation around `deploy` and `rollback` of the env, the run's summary JSON on stdin. */
export const HooksSchema = z
  .strictObject({
    pre_deploy: HookCommandSchema.optional().describe(
      'Runs after the plan (and the confirmation), before anything changes; a non-zero exit stops the deploy',
    ),
    post_deploy: HookCommandSchema.optional().describe(
      'Runs after the deploy with its results; a non-zero exit makes rig exit 1 (the deploy stays applied)',
    ),
    timeout: z
      .number()
      .int()
      .min(1)
      .max(86400)
      .default(300)
      .describe('Seconds a hook may run before it is killed (and fails)'),
  })
  .describe('Local hooks: commands run from the repository root with the run summary as JSON on stdin');

export type Hooks = z.infer<typeof HooksSchema>;

/** env.yml: settings of an environment as a whole. */
export const EnvSettingsSchema = z
  .strictObject({
    description: z.string().optional().describe('What this environment is'),
    confirm: z
      .boolean()
      .default(false)
      .describe('Ask before changing anything (type the env name); refuse without a TTY unless --yes'),
    pinned: z
      .boolean()
      .default(false)
      .describe('Refuse to deploy images that are not pinned to a digest in images.lock.yml'),
    new_host_keys: z
      .enum(['user', 'env'])
      .default('user')
      .describe(
        'Where --accept-new-host-keys records a key: user (~/.ssh/known_hosts) or env (inventory/<env>/known_hosts, committed)',
      ),
    hooks: HooksSchema.optional(),
    notify: z
      .boolean()
      .default(true)
      .describe(
        "Send each deploy and rollback to the env's Telegram chat (the nightly's alert settings) when they are set",
      ),
  })
  .describe('rig environment settings (inventory/<env>/env.yml)');

export type EnvSettings = z.infer<typeof EnvSettingsSchema>;
