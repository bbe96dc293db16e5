// Turns an inventory target plus ssh_config into concrete endpoints to dial: the jump hops, then the host.
import { resolveSshHost, type SshConfigContext, type SshConfigLine } from './ssh-config.js';

/** How the inventory names a host; unset fields come from ssh_config, then OpenSSH defaults. */
export interface SshTarget {
  /** Inventory name, used in every message. */
  readonly name: string;
  /** Address or ssh_config Host alias. */
  readonly host: string;
  readonly port?: number;
  readonly user?: string;
  /** Key files to try, before the ones ssh_config names. */
  readonly identityFiles?: readonly string[];
}

/** Everything needed to dial one hop. */
export interface SshEndpoint {
  /** The name for messages (inventory name for the host, `user@host:port` spec for a jump). */
  readonly name: string;
  readonly hostName: string;
  readonly port: number;
  readonly user: string;
  readonly identityFiles: readonly string[];
  readonly identitiesOnly: boolean;
  readonly connectTimeoutSec: number | undefined;
  /** ssh_config's `ServerAliveInterval` (0: none) and `ServerAliveCountMax`; undefined: rig's defaults. */
  readonly serverAliveIntervalSec: number | undefined;
  readonly serverAliveCountMax: number | undefined;
}

const MAX_JUMPS = 8;

/**
 * The endpoints in dialing order: ProxyJump hops first (each hop itself resolved through ssh_config,
 * as `ssh -J` does), the target last. Inventory values override ssh_config (like `ssh -o`).
 */
export function planEndpoints(
  target: SshTarget,
  config: readonly SshConfigLine[],
  ctx: SshConfigContext,
  depth = 0,
): SshEndpoint[] {
  if (depth > MAX_JUMPS)
    throw new Error(`${target.name}: ProxyJump chain longer than ${MAX_JUMPS} hops (a loop in ssh_config?)`);
  const r = resolveSshHost(config, target.host, ctx);
  const self: SshEndpoint = {
    name: target.name,
    hostName: r.hostName,
    port: target.port ?? r.port ?? 22,
    user: target.user ?? r.user ?? ctx.localUser,
    identityFiles: [...(target.identityFiles ?? []), ...r.identityFiles],
    identitiesOnly: r.identitiesOnly,
    connectTimeoutSec: r.connectTimeoutSec,
    serverAliveIntervalSec: r.serverAliveIntervalSec,
    serverAliveCountMax: r.serverAliveCountMax,
  };
  if (r.proxyJump === undefined) return [self];
  const jumps = r.proxyJump.split(',').map(parseJumpSpec);
  if (jumps.length > MAX_JUMPS) throw new Error(`${target.name}: ProxyJump has more than ${MAX_JUMPS} hops`);
  const [first, ...rest] = jumps.map((j) => ({
    name: j.spec,
    host: j.host,
    ...(j.port === undefined ? {} : { port: j.port }),
    ...(j.user === undefined ? {} : { user: j.user }),
  }));
  if (first === undefined) return [self];
  // The first hop may itself have a ProxyJump in the config; later hops are dialed through the previous one.
  const hops = [
    ...planEndpoints(first, config, ctx, depth + 1),
    ...rest.map((j) => planEndpoints(j, config, ctx, depth + 1).at(-1) as SshEndpoint),
  ];
  return [...hops, self];
}

/** Parses one ProxyJump element `[user@]host[:port]` (also `ssh://user@host:port`, `[v6]:port`). */
export function parseJumpSpec(spec: string): {
  spec: string;
  host: string;
  port: number | undefined;
  user: string | undefined;
} {
  const s = spec.trim().replace(/^ssh:\/\//, '');
  const at = s.lastIndexOf('@');
  const user = at >= 0 ? s.slice(0, at) : undefined;
  const hostPort = at >= 0 ? s.slice(at + 1) : s;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort) ?? /^([^:]+)(?::(\d+))?$/.exec(hostPort);
  if (m?.[1] === undefined) throw new Error(`invalid ProxyJump element ${JSON.stringify(spec)}`);
  return { spec: s, host: m[1], port: m[2] === undefined ? undefined : Number(m[2]), user };
}
