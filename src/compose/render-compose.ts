// Renders a host's services of one phase into a compose file: format 2.4 for Compose v1, the Compose Specification
// (the same document without `version:`) for v2.
import { containerName, networkName, type Phase, type ServiceSpec } from '../core/desired/service.js';
import type { ComposeFlavor } from '../facts/containers/compose-detect.js';
import { stringifyYaml } from '../core/yaml-text.js';

/** One service as it goes into the file: its definition plus the labels rig reads back on the next plan. */
export interface RenderedService {
  readonly name: string;
  readonly spec: ServiceSpec;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Networks of the file: short name → docker name and whether it is internal (all external to compose: rig owns them).
 */
export type NetworkNames = ReadonlyMap<string, string>;

/** `<projectDir>/compose.<phase>.yml`. */
export function composeFilePath(projectDir: string, phase: Phase): string {
  return `${projectDir.replace(/\/+$/, '')}/compose.${phase}.yml`;
}

/**
 * The compose file text. Every string value has `$` doubled: Compose interpolates `$X` in compose files. v2 ignores
 * `version:` and, from 2.25 on, warns on every command that it is obsolete: for v2 it is left out. v1 keeps
 * `version: "2.4"`, the schema its hosts' containers were made from (v1 reads a file without the key as the Compose
 * Specification, another schema). Nothing else differs, and neither compose's config hash nor rig's fingerprints
 * cover the key: a host moving from v1 to v2 sees its compose files change by that line, and no container
 * recreated. Without a flavor (no compose found: the plan refuses anyway) the v1 form is written.
 */
export function renderComposeFile(
  project: string,
  phase: Phase,
  services: readonly RenderedService[],
  flavor?: ComposeFlavor,
): string {
  const used = new Set(services.flatMap((s) => s.spec.networks));
  const volumes = new Set(
    services.flatMap((s) => s.spec.mounts.filter((m) => m.type === 'volume').map((m) => m.source)),
  );
  const doc: Record<string, unknown> = {
    ...(flavor === 'v2' ? {} : { version: '2.4' }),
    services: Object.fromEntries(services.map((s) => [s.name, escapeDollars(serviceEntry(project, s))])),
  };
  if (used.size > 0)
    doc['networks'] = Object.fromEntries(
      [...used].sort().map((n) => [n, { external: true, name: networkName(project, n) }]),
    );
  if (volumes.size > 0) doc['volumes'] = Object.fromEntries([...volumes].sort().map((v) => [v, {}]));
  const head = `# Rendered by rig: project ${project}, phase ${phase}. Do not edit: every deploy rewrites it.\n`;
  // Compose v1 reads YAML 1.1 (`restart: no` is false there, `22:22` the sexagesimal 1342): quote what either version
  // misreads.
  return head + stringifyYaml(doc, { lineWidth: 0, aliasDuplicateObjects: false, compat: 'yaml-1.1' });
}

function serviceEntry(project: string, s: RenderedService): Record<string, unknown> {
  const p = s.spec;
  const entry: Record<string, unknown> = { container_name: containerName(project, s.name), image: p.image };
  const put = (key: string, value: unknown): void => {
    if (
      value === undefined ||
      (Array.isArray(value) && value.length === 0) ||
      (isRecord(value) && Object.keys(value).length === 0)
    )
      return;
    entry[key] = value;
  };
  put('command', p.command);
  put('entrypoint', p.entrypoint);
  put('environment', p.environment);
  put('env_file', p.envFiles);
  put(
    'volumes',
    p.mounts.map((m) => ({ type: m.type, source: m.source, target: m.target, read_only: m.readOnly })),
  );
  put('networks', p.networks);
  put('ports', p.ports);
  put(
    'healthcheck',
    p.healthcheck && {
      test: healthTest(p.healthcheck.test),
      interval: p.healthcheck.interval,
      timeout: p.healthcheck.timeout,
      retries: p.healthcheck.retries,
      start_period: p.healthcheck.startPeriod,
    },
  );
  put('user', p.user);
  put('group_add', p.groupAdd);
  put('init', p.init);
  put('cap_drop', p.capDrop);
  put('cap_add', p.capAdd);
  put('security_opt', p.securityOpt);
  put('read_only', p.readOnly);
  put('tmpfs', p.tmpfs);
  put('working_dir', p.workingDir);
  put('hostname', p.hostname);
  put('restart', p.restart);
  put('mem_limit', p.memLimit);
  put('mem_reservation', p.memReservation);
  put('cpus', p.cpus);
  put('pids_limit', p.pidsLimit);
  put('stop_grace_period', p.stopGracePeriod);
  put('labels', { ...p.labels, ...s.labels });
  return entry;
}

/** An argv healthcheck is `CMD …`; a string is a shell line (`CMD-SHELL`). */
function healthTest(test: string | readonly string[]): string[] {
  return typeof test === 'string' ? ['CMD-SHELL', test] : ['CMD', ...test];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function escapeDollars(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\$/g, '$$$$');
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeDollars(x)]));
  return v;
}
