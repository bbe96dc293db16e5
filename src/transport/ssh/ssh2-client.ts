// ssh2's client half, loaded without the rest of the package: its index also loads the SSH server, the key generator
// and the HTTP agents (and with them node:http, node:https and node:tls), none of which rig uses: ~10 ms of every
// run's start (README, Benchmarks: "What rig costs before its first connection"). The types are the package's own.
import { createRequire } from 'node:module';
import type ssh2 from 'ssh2';

const require = createRequire(import.meta.url);

/** ssh2's `Client` (lib/client.js exports the class itself). */
export const Client = require('ssh2/lib/client.js') as typeof ssh2.Client;

/** ssh2's `utils.parseKey` (the index re-exports it from lib/protocol/keyParser.js). */
export const parseKey = (require('ssh2/lib/protocol/keyParser.js') as { parseKey: typeof ssh2.utils.parseKey })
  .parseKey;
