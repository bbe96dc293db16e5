// The desired-state steps a role declares for a host. Pure data: the engine compares them with facts and plans.
import type { Cmd } from '../cmd/cmd.js';
import type { SourceLocation } from '../errors/diagnostic.js';
import type { HealthGate, Phase, ServiceSpec } from './service.js';

/** Ownership and permissions wanted for a path; absent fields are left as they are. */
export interface PathAttrs {
  readonly mode?: number;
  readonly owner?: string;
  readonly group?: string;
}

/** A directory that must exist. */
export interface DirOp extends PathAttrs {
  readonly kind: 'dir';
  readonly path: string;
  readonly origin: SourceLocation | undefined;
}

/** A file whose content must be exactly `content`. */
export interface FileOp extends PathAttrs {
  readonly kind: 'file';
  readonly path: string;
  /** Text (rendered templates, inline content) or bytes (files copied from the role's `files/`). */
  readonly content: string | Uint8Array;
  /** Rendered with a secret: diffs of it are masked, never shown. */
  readonly sensitive: boolean;
  /** Where the content comes from, for messages: a template file, a role file, or inline content. */
  readonly from: SourceLocation | undefined;
  readonly origin: SourceLocation | undefined;
  /** Handlers to run (once per host, after the role) when this file changes. */
  readonly notify: readonly string[];
  /**
   * A check of the new content before it replaces the live file (`caddy validate` in the Caddy image): called with
   * the path of the uploaded copy; a non-zero exit aborts the apply with nothing committed.
   */
  readonly validate?: (uploaded: string) => Cmd;
}

/**
 * A command with an explicit rule for when it runs (and so counts as a change): when the `creates` path is
 * missing, when the read-only `unless` check exits non-zero, or `always` (then no plan is ever empty).
 * Commands of a host run after its files are written, in declaration order.
 */
export interface CommandOp {
  readonly kind: 'command';
  readonly name: string;
  readonly cmd: Cmd;
  /** `unless` may say in words what a failing check means (`missing`): the plan prints that instead of the check. */
  readonly when:
    { readonly creates: string } | { readonly unless: Cmd; readonly missing?: string } | { readonly always: true };
  readonly notify: readonly string[];
  readonly origin: SourceLocation | undefined;
}

/** A command run once per host after its role, only when a step of that role notified it by name. */
export interface HandlerOp {
  readonly kind: 'handler';
  readonly name: string;
  readonly cmd: Cmd;
  readonly origin: SourceLocation | undefined;
}

/**
 * A compose service of the host's project. rig renders it into the phase's compose file, fingerprints its inputs
 * (definition, env files, rig-managed bind-mounted files, pinned image digest) and recreates it only when they changed.
 */
export interface ServiceOp {
  readonly kind: 'service';
  readonly name: string;
  readonly phase: Phase;
  readonly spec: ServiceSpec;
  readonly gate: HealthGate;
  /**
   * In-place reload: when the only inputs that changed are rig-managed files under these bind-mount sources (not the
   * definition, env files or image), rig runs `command` in the running container instead of recreating it (`caddy
   * reload`). Mount a directory, not a single file: a replaced file keeps its old inode inside a single-file mount.
   */
  readonly reload?: { readonly paths: readonly string[]; readonly command: readonly string[] };
  /**
   * The service serves WebSocket connections (OpenClaw's Control UI): a reverse proxy of the same host whose upstream
   * is this service must speak HTTP/1.1 to it, since HTTP/2 drops the Upgrade header (docs/lessons.md §10.13). Checked
   * on the rendered env (Caddy's `http1_only`), whatever the service is called.
   */
  readonly websocket?: true;
  readonly origin: SourceLocation | undefined;
}

/**
 * A docker network of the project (`<project>_<name>`): created when missing, unless `external` (then only checked).
 */
export interface NetworkOp {
  readonly kind: 'network';
  readonly name: string;
  readonly internal: boolean;
  /** Not created by rig: it must exist (pre-check) or the deploy stops before anything changes. */
  readonly external: boolean;
  readonly origin: SourceLocation | undefined;
}

/**
 * A YAML file rig shares with someone else (Headscale's config.yaml): only the keys in `set` (dotted paths) are rig's;
 * every other key, and every comment, is kept as the host has it. Planned from the file's current content.
 */
export interface YamlMergeOp extends PathAttrs {
  readonly kind: 'yamlMerge';
  readonly path: string;
  /** Dotted path (`dns.override_local_dns`) → value. */
  readonly set: Readonly<Record<string, unknown>>;
  /** Content to start from when the file does not exist yet; without it a missing file is an error. */
  readonly initial?: string;
  readonly sensitive: boolean;
  readonly notify: readonly string[];
  readonly origin: SourceLocation | undefined;
}

export type Op = DirOp | FileOp | CommandOp | HandlerOp | ServiceOp | NetworkOp | YamlMergeOp;
