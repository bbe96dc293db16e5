// Resolves yamlMerge ops against the host's current file: rig's keys set, every other key and comment kept as it is.
import { isMap, isScalar, parseDocument } from 'yaml';
import type { Diagnostic } from '../core/errors/diagnostic.js';
import type { FileOp, YamlMergeOp } from '../core/desired/op.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import { canonicalJson } from '../compose/service-inputs.js';
import { yamlDocumentText } from '../core/yaml-text.js';

/** The paths whose current content the plan needs (the merge targets). */
export function mergeTargets(roleOps: readonly RoleOps[]): string[] {
  return roleOps
    .filter((r) => r.selected)
    .flatMap((r) => r.ops.flatMap((o) => (o.kind === 'yamlMerge' ? [o.path] : [])));
}

/**
 * The ops with every yamlMerge replaced by the file op it comes to: the host's content with rig's keys set. When
 * every key already holds its value the content is the host's bytes, unchanged (so a second run changes nothing).
 */
export function resolveMerges(
  roleOps: readonly RoleOps[],
  current: ReadonlyMap<string, Buffer>,
  host: string,
): { roleOps: RoleOps[]; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const out = roleOps.map((r) => ({
    ...r,
    ops: r.ops.map((o) => {
      if (o.kind !== 'yamlMerge' || !r.selected) return o;
      const merged = mergeOne(o, current.get(o.path)?.toString('utf8'));
      if (typeof merged === 'string') return fileOf(o, merged);
      problems.push({ severity: 'error', message: merged.error, loc: o.origin, hosts: [host] });
      return fileOf(o, '');
    }),
  }));
  return { roleOps: out, problems };
}

function mergeOne(op: YamlMergeOp, text: string | undefined): string | { error: string } {
  const base = text ?? op.initial;
  if (base === undefined)
    return {
      error: `${op.path} does not exist on the host: rig only merges its keys into it (give \`initial\` content to create it)`,
    };
  // compat: values a YAML 1.1 reader would misread (yes, no, on, 0o17…) are written quoted
  const doc = parseDocument(base, { compat: 'yaml-1.1' });
  if (doc.errors.length > 0)
    return {
      error: `${op.path} on the host is not valid YAML (${doc.errors[0]?.message.split('\n')[0] ?? ''}): not touched`,
    };
  if (doc.contents !== null && !isMap(doc.contents))
    return { error: `${op.path} on the host is not a YAML mapping: not touched` };
  let changed = text === undefined;
  for (const [dotted, value] of Object.entries(op.set)) {
    const path = dotted.split('.');
    const now: unknown = doc.getIn(path, false);
    const plain =
      now !== null && typeof now === 'object' && 'toJSON' in now ? (now as { toJSON(): unknown }).toJSON() : now;
    if (canonicalJson(plain) === canonicalJson(value)) continue;
    const blocker = blockingParent(doc, path);
    if (blocker !== undefined)
      return { error: `${op.path} on the host: cannot set ${dotted}: ${blocker} is not a mapping there; not touched` };
    doc.setIn(path, doc.createNode(value));
    changed = true;
  }
  return changed ? yamlDocumentText(doc, { lineWidth: 0 }) : base;
}

/** The first parent of `path` that holds something other than a mapping (null is replaced by an empty one). */
function blockingParent(doc: ReturnType<typeof parseDocument>, path: readonly string[]): string | undefined {
  for (let i = 1; i < path.length; i++) {
    const at = path.slice(0, i);
    const node: unknown = doc.getIn(at, true);
    if (node === undefined) return undefined;
    if (isMap(node)) continue;
    if (isScalar(node) && node.value === null) {
      doc.setIn(at, doc.createNode({}));
      continue;
    }
    return at.join('.');
  }
  return undefined;
}

function fileOf(o: YamlMergeOp, content: string): FileOp {
  return {
    kind: 'file',
    path: o.path,
    content,
    sensitive: o.sensitive,
    from: undefined,
    origin: o.origin,
    notify: o.notify,
    ...(o.mode !== undefined ? { mode: o.mode } : {}),
    ...(o.owner !== undefined ? { owner: o.owner } : {}),
    ...(o.group !== undefined ? { group: o.group } : {}),
  };
}
