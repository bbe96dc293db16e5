// Pure: is the host's compose one rig can drive, and will the engine accept it? Checked by the plan, before any write.
import type { Diagnostic } from '../core/errors/diagnostic.js';
import type { ComposeDetection, ComposeInstall } from '../facts/containers/compose-detect.js';

/** The oldest release of each flavor rig drives, and why that one. */
export const COMPOSE_MINIMUM = {
  // env_file values: rig's quoting is verified against 1.29's python-dotenv; older v1s parse env files otherwise
  v1: { version: '1.29.0', why: 'older v1 releases read env files differently from what rig writes' },
  // each phase's file is one project: without COMPOSE_IGNORE_ORPHANS the other phase's containers are "orphans"
  v2: { version: '2.3.0', why: 'older releases ignore COMPOSE_IGNORE_ORPHANS, which rig relies on' },
} as const;

/** The newest Docker API a compose release speaks, where it is below what current engines require. */
function apiCeiling(c: ComposeInstall): string | undefined {
  if (c.flavor === 'v1') return '1.41'; // docker-py 5, the last v1's client
  return compareVersions(c.version, '2.24.0') < 0 ? '1.43' : undefined; // 2.24 brought the Docker 25 client (1.44)
}

const INSTALL_V2 =
  "install the Compose v2 plugin system-wide (Docker's docker-compose-plugin package, or Debian's docker-compose " +
  '≥ 2.x) into /usr/libexec/docker/cli-plugins or /usr/local/lib/docker/cli-plugins';

/** Errors for a host whose compose rig cannot drive; empty when it can. */
export function composeProblems(host: string, d: ComposeDetection): Diagnostic[] {
  const err = (message: string): Diagnostic => ({ severity: 'error', message, hosts: [host] });
  const user = d.userPlugin;
  const userOnly = user
    ? `a compose plugin is installed for ${user.user} only (${user.path}); rig runs compose as root (become), whose ` +
      'docker does not look there, and it will not run as root a file another account can replace: '
    : '';
  if (d.unrecognised) {
    const cmd = d.unrecognised.cli === 'plugin' ? 'docker compose version' : 'docker-compose version';
    const line = JSON.stringify(d.unrecognised.line);
    return [err(`\`${cmd}\` printed ${line}, which rig cannot read a version from; ${INSTALL_V2}`)];
  }
  const c = d.compose;
  if (c === undefined) {
    if (user) return [err(`no compose usable as root: ${userOnly}${installFrom(user.path)}`)];
    return [err(`neither \`docker compose\` (v2) nor \`docker-compose\` (v1) found on the host; ${INSTALL_V2}`)];
  }
  const problems: Diagnostic[] = [];
  const what = `${c.cli === 'plugin' ? 'docker compose' : 'docker-compose'} ${c.version} (Compose ${c.flavor})`;
  if (user && c.flavor === 'v1') {
    problems.push(err(`${what} would run, not the user's: ${userOnly}${installFrom(user.path)}`));
  }
  const min = COMPOSE_MINIMUM[c.flavor];
  if (compareVersions(c.version, min.version) < 0) {
    const fix = c.flavor === 'v1' ? `${INSTALL_V2} (or docker-compose 1.29.2)` : `upgrade it: ${INSTALL_V2}`;
    const oldest = `the oldest ${c.flavor} rig supports (${min.why})`;
    problems.push(err(`${what} is older than ${min.version}, ${oldest}; ${fix}`));
  }
  const ceiling = apiCeiling(c);
  if (d.engine && ceiling !== undefined && compareVersions(ceiling, d.engine.minApi) < 0) {
    problems.push(
      err(
        `${what} speaks Docker API ${ceiling} at most, and Docker Engine ${d.engine.version} refuses API versions ` +
          `below ${d.engine.minApi}: every compose command would fail; install Compose v2 2.24 or newer (${INSTALL_V2})`,
      ),
    );
  }
  return problems;
}

function installFrom(path: string): string {
  return `install it for every account (sudo install -m 0755 ${path} /usr/local/lib/docker/cli-plugins/docker-compose)`;
}

/** Compares dotted numeric versions (`2.26.1-4`: the suffix after the numbers is ignored); <0, 0 or >0. */
export function compareVersions(a: string, b: string): number {
  const nums = (v: string): number[] => (/^\d+(?:\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);
  const [x, y] = [nums(a), nums(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
