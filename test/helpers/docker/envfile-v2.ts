// An env file as Compose v2 reads it: `docker compose config --format json` and the environment of a container
// `docker compose create` made from it, with the v2 plugin of rig/target:1 alone
// (test/helpers/docker/local-compose.ts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { exec } from '../../../src/core/cmd/cmd.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import { run } from '../../../src/transport/run.js';
import { localCompose } from './local-compose.js';

/** Readers of `app.env` in `dir` (a compose project of its own); `remove` drops the plugin dir and the container. */
export function envFileReadByV2(dir: string) {
  const t = new LocalTransport();
  const local = localCompose('v2');
  const project = `rigenvfile${process.pid}`;
  const compose = (...args: string[]) =>
    local.wrap(exec(['docker', 'compose', '-p', project, '-f', path.join(dir, 'compose.yml'), ...args]));
  const write = (envText: string): void => {
    writeFileSync(path.join(dir, 'app.env'), envText);
    // pull_policy never: the image is local; no `version:` key (v2 warns about it)
    const yml = 'services:\n  app:\n    image: local/busybox:1\n    pull_policy: never\n    env_file: app.env\n';
    writeFileSync(path.join(dir, 'compose.yml'), yml);
  };
  const ours = (env: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(env).filter(([k]) => /^(K\d+|A|B)$/.test(k)));
  return {
    /** The service's environment as `docker compose config` resolves it (JSON: no YAML re-reading in between). */
    async config(envText: string): Promise<Record<string, string>> {
      write(envText);
      const r = await run(t, compose('config', '--format', 'json'));
      const doc = JSON.parse(r.stdout) as { services: { app: { environment?: Record<string, string | null> } } };
      // `config` writes `$` as `$$` (its output is a compose file again); the container gets the single `$`
      const env = Object.entries(doc.services.app.environment ?? {});
      return ours(Object.fromEntries(env.map(([k, v]) => [k, (v ?? '').replaceAll('$$', '$')])));
    },
    /** The environment the engine gives a container compose created (`Config.Env`, split at the first `=`). */
    async container(envText: string): Promise<Record<string, string>> {
      write(envText);
      await run(t, compose('create', '--force-recreate', 'app'));
      const r = await run(t, compose('ps', '-a', '-q', 'app'));
      const id = r.stdout.trim();
      const inspect = await run(t, exec(['docker', 'inspect', '--format', '{{json .Config.Env}}', id]));
      const env = JSON.parse(inspect.stdout) as string[];
      return ours(Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
    },
    async remove(): Promise<void> {
      await t.exec(compose('down', '-t', '0'));
      local.remove();
    },
  };
}
