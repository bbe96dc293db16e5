// Dials a host over ssh2: ProxyJump hops, key-file and agent auth, host-key verification, connect timeout.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentAuthMethod, Client, ConnectConfig, ParsedKey, PublicKeyAuthMethod } from 'ssh2';
import { Client as Ssh2Client, parseKey } from './ssh2-client.js';
import type { Duplex } from 'node:stream';
import { HostKeyError, HostUnreachableError } from '../../core/errors/remote-errors.js';
import { knownHost, noKnownTypeError, verifyHostKey, type HostKeyPolicy } from '../host-keys/host-key-policy.js';
import type { SshEndpoint } from '../ssh-endpoint.js';

/** Machine-wide inputs of dialing. */
export interface DialOptions {
  readonly hostKeys: HostKeyPolicy;
  /** Handshake deadline per hop (ssh2 readyTimeout); ssh_config ConnectTimeout applies when unset. Default 10 s. */
  readonly readyTimeoutMs?: number;
  /** ssh-agent socket (`SSH_AUTH_SOCK`); undefined for none. */
  readonly agentSocket?: string | undefined;
  readonly home: string;
}

/** Settles when a connected client's socket has closed, whoever closed it. */
const closedPromises = new WeakMap<Client, Promise<void>>();

/** Why a connected client's connection ended, when ssh2 said (a keepalive timeout, a reset): for the messages. */
const endReasons = new WeakMap<Client, string>();

/**
 * The error of a command whose channel could not be opened (`err`), or whose connection was lost while it ran (`err`
 * undefined). Why the connection ended, when ssh2 said, comes first: what follows names the command, which may be one
 * of rig's scripts, and messages show those cut short.
 */
export function channelLost(client: Client, host: string, display: string, err?: Error): HostUnreachableError {
  const why = endReasons.get(client);
  const head = why === undefined ? '' : `${why}; `;
  return err === undefined
    ? new HostUnreachableError(host, `${head}connection lost while running ${display}`)
    : new HostUnreachableError(host, `${head}cannot open a channel for ${display}: ${err.message}`, { cause: err });
}

/**
 * Keepalives when ssh_config sets none (ServerAliveInterval 15, ServerAliveCountMax 3): OpenSSH sends none by default,
 * and a host that stops answering without closing its TCP connection (hung, or cut off by a firewall that drops
 * packets) would hold a deploy for as long as the kernel keeps retransmitting (~15 minutes with data in flight; with
 * none, as while rig waits for a command's output, for ever). ssh2 ends the connection when CountMax keepalives in a
 * row went unanswered and it would send one more: ~60 s of silence.
 */
export const SERVER_ALIVE_DEFAULTS = { intervalSec: 15, countMax: 3 } as const;

function keepalive(ep: SshEndpoint): { intervalSec: number; countMax: number } | undefined {
  const intervalSec = ep.serverAliveIntervalSec ?? SERVER_ALIVE_DEFAULTS.intervalSec;
  if (intervalSec === 0) return undefined;
  return { intervalSec, countMax: ep.serverAliveCountMax ?? SERVER_ALIVE_DEFAULTS.countMax };
}

/** Ends a client and resolves once it is closed (at once if it already was). */
export function endClient(client: Client): Promise<void> {
  client.end();
  return closedPromises.get(client) ?? Promise.resolve();
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/**
 * Identity files, each read and parsed once per DialOptions (one per run, shared by its hosts): ssh2 would parse the
 * key again for every connection. A key ssh2 cannot parse (encrypted, unknown format) is handed over as its bytes, so
 * that ssh2 skips it as it always did. undefined: no such file.
 */
const identities = new WeakMap<DialOptions, Map<string, Promise<Buffer | ParsedKey | undefined>>>();

function identity(opts: DialOptions, file: string): Promise<Buffer | ParsedKey | undefined> {
  let keys = identities.get(opts);
  if (keys === undefined) identities.set(opts, (keys = new Map<string, Promise<Buffer | ParsedKey | undefined>>()));
  let key = keys.get(file);
  if (key === undefined) {
    key = readFile(file).then(
      (bytes) => {
        const parsed = parseKey(bytes);
        return parsed instanceof Error ? bytes : parsed;
      },
      () => undefined,
    );
    keys.set(file, key);
  }
  return key;
}

/** One auth attempt and how to name it in an error. */
interface Auth {
  readonly method: PublicKeyAuthMethod | AgentAuthMethod;
  readonly label: string;
}

/** A jump host's connection, shared by the run's hosts behind it (see dialChain). */
interface SharedHop {
  readonly client: Promise<Client>;
  users: number;
}

/** Per DialOptions (one per run): the open jump connections, by the chain of hops that reaches them. */
const sharedHops = new WeakMap<DialOptions, Map<string, SharedHop>>();
/** A shared jump client, and where it is kept: closeChain releases it instead of ending it. */
const hopOf = new WeakMap<Client, { readonly hops: Map<string, SharedHop>; readonly key: string; hop: SharedHop }>();

/**
 * Dials every endpoint in order, each through the previous one; returns all clients, the target's last. A ProxyJump
 * hop is dialed once per run and shared by every host behind it (a channel each), as OpenSSH's ControlMaster would:
 * a connection per host made a bastion take as many handshakes at once as the run has forks, and sshd's default
 * `MaxStartups 10:30:100` drops connections beyond 10 unauthenticated ones (measured: 11 of 40 hosts lost, "Connection
 * lost before handshake"). The hop stays open while a host uses it (closeChain).
 */
export async function dialChain(endpoints: readonly SshEndpoint[], opts: DialOptions): Promise<Client[]> {
  const clients: Client[] = [];
  try {
    for (const [i, ep] of endpoints.entries()) {
      const prev = clients.at(-1);
      const via = async (): Promise<Client> => dial(ep, prev === undefined ? undefined : await forward(prev, ep), opts);
      clients.push(i === endpoints.length - 1 ? await via() : await acquireHop(endpoints.slice(0, i + 1), opts, via));
    }
    return clients;
  } catch (err) {
    void closeChain(clients);
    throw attributeToTarget(err, endpoints);
  }
}

/** Ends a chain dialChain returned: the target's connection, then each hop no other host uses any more. */
export async function closeChain(clients: readonly Client[]): Promise<void> {
  for (const c of [...clients].reverse()) {
    const shared = hopOf.get(c);
    if (shared === undefined) {
      await endClient(c);
      continue;
    }
    shared.hop.users -= 1;
    if (shared.hop.users > 0) continue;
    if (shared.hops.get(shared.key) === shared.hop) shared.hops.delete(shared.key);
    await endClient(c);
  }
}

async function acquireHop(
  chain: readonly SshEndpoint[],
  opts: DialOptions,
  dialHop: () => Promise<Client>,
): Promise<Client> {
  let hops = sharedHops.get(opts);
  if (hops === undefined) sharedHops.set(opts, (hops = new Map<string, SharedHop>()));
  // the whole endpoint: two hosts whose ssh_config gives the same hop other keys or timeouts do not share it
  const key = JSON.stringify(chain);
  let hop = hops.get(key);
  if (hop === undefined) {
    const fresh: SharedHop = { client: dialHop(), users: 0 };
    hop = fresh;
    hops.set(key, fresh);
    const forget = (): void => void (hops.get(key) === fresh && hops.delete(key));
    // a hop that failed, or closed since (dropped, keepalives unanswered), is dialed again by the next host
    fresh.client.then((c) => c.once('close', forget), forget);
  }
  hop.users += 1;
  try {
    const client = await hop.client;
    hopOf.set(client, { hops, key, hop });
    return client;
  } catch (err) {
    hop.users -= 1;
    throw err;
  }
}

/** A jump hop's failure is reported as the target's (the inventory host), saying which hop failed. */
function attributeToTarget(err: unknown, endpoints: readonly SshEndpoint[]): unknown {
  const target = endpoints.at(-1);
  if (!(err instanceof HostUnreachableError) || target === undefined || err.host === target.name) return err;
  return new HostUnreachableError(target.name, `via ProxyJump ${err.host}: ${err.reason}`, { cause: err });
}

function forward(via: Client, ep: SshEndpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, ep.hostName, ep.port, (err, stream) => {
      if (err)
        reject(
          new HostUnreachableError(ep.name, `jump host cannot reach ${ep.hostName}:${ep.port}: ${err.message}`, {
            cause: err,
          }),
        );
      else resolve(stream);
    });
  });
}

/** One ssh2 connection. A host-key refusal surfaces as the HostKeyError, not ssh2's generic message. */
async function dial(ep: SshEndpoint, sock: Duplex | undefined, opts: DialOptions): Promise<Client> {
  const auth = await authMethods(ep, opts);
  if (auth.length === 0)
    throw new HostUnreachableError(
      ep.name,
      'no identity file found and no ssh-agent (SSH_AUTH_SOCK) to authenticate with',
    );
  let keyError: HostKeyError | undefined;
  // Only the key types the host is known by are negotiated: a host known by Ed25519 is never asked for ECDSA.
  const known = await knownHost(opts.hostKeys, ep.name, ep.hostName, ep.port);
  const alive = keepalive(ep);
  const config: ConnectConfig = {
    host: ep.hostName,
    port: ep.port,
    username: ep.user,
    readyTimeout: opts.readyTimeoutMs ?? (ep.connectTimeoutSec ?? 10) * 1000,
    authHandler: auth.map((a) => a.method),
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      verifyHostKey(opts.hostKeys, ep.name, known, key).then(
        () => verify(true),
        (err: unknown) => {
          keyError = err instanceof HostKeyError ? err : new HostKeyError(ep.name, 'unknown', String(err));
          verify(false);
        },
      );
    },
    ...(alive === undefined ? {} : { keepaliveInterval: alive.intervalSec * 1000, keepaliveCountMax: alive.countMax }),
    ...(known.offer === undefined ? {} : { algorithms: { serverHostKey: [...known.offer] } }),
    ...(sock === undefined ? {} : { sock }),
  };
  const client = new Ssh2Client();
  return new Promise((resolve, reject) => {
    const onError = (err: Error & { level?: string }): void => {
      client.end();
      const noCommonKeyType =
        known.offer !== undefined && err.level === 'handshake' && /no matching host key/i.test(err.message);
      const unreachable = (): HostUnreachableError =>
        new HostUnreachableError(ep.name, describeError(ep, err, auth), { cause: err });
      reject(keyError ?? (noCommonKeyType ? noKnownTypeError(ep.name, known) : unreachable()));
    };
    client.on('error', onError);
    client.once('ready', () => {
      client.off('error', onError);
      // Without this, Nagle holds each channel's small writes for the peer's delayed ACK: ~40 ms per command.
      client.setNoDelay(true);
      closedPromises.set(client, new Promise((done) => client.once('close', () => done())));
      // After ready, errors end in 'close'; pending channels fail there, saying why (channelLost). The listener also
      // keeps them from crashing the process.
      client.on('error', (err: Error & { level?: string }) => {
        if (endReasons.has(client)) return;
        const silent = alive !== undefined && err.level === 'client-timeout';
        endReasons.set(
          client,
          silent
            ? `${ep.hostName}:${ep.port} answered none of ${alive.countMax} keepalives sent ${alive.intervalSec} s apart ` +
                '(ServerAliveInterval, ServerAliveCountMax): the host or the network is down'
            : err.message,
        );
      });
      resolve(client);
    });
    client.connect(config);
  });
}

function describeError(ep: SshEndpoint, err: Error & { level?: string }, auth: readonly Auth[]): string {
  const where = `${ep.user}@${ep.hostName}:${ep.port}`;
  if (err.level === 'client-authentication')
    return `${where}: authentication failed (tried ${auth.map((a) => a.label).join(', ')})`;
  if (err.level === 'client-timeout' || /timed out/i.test(err.message))
    return `${where}: no SSH handshake within the connect timeout`;
  return `${where}: ${err.message}`;
}

/** Key files first (inventory, then ssh_config, else the default ~/.ssh/id_*), then the agent unless IdentitiesOnly. */
async function authMethods(ep: SshEndpoint, opts: DialOptions): Promise<Auth[]> {
  const explicit = ep.identityFiles.length > 0;
  const files = explicit ? ep.identityFiles : DEFAULT_KEYS.map((k) => path.join(opts.home, '.ssh', k));
  const methods: Auth[] = [];
  for (const file of files) {
    const key = await identity(opts, file);
    if (key !== undefined)
      methods.push({ method: { type: 'publickey', username: ep.user, key }, label: `key ${file}` });
  }
  if (opts.agentSocket !== undefined && opts.agentSocket !== '' && !ep.identitiesOnly) {
    methods.push({
      method: { type: 'agent', username: ep.user, agent: opts.agentSocket },
      label: `ssh-agent ${opts.agentSocket}`,
    });
  }
  return methods;
}
