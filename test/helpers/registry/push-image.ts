// Pushes a local image to a test registry with the docker client and returns the digest docker printed.
import { dockerOk } from '../docker/docker-cli.js';

/**
 * Tags `localImage` as `<host>/<name>`, pushes it, removes that tag again, and returns the
 * `digest: sha256:…` from docker's output (what `image@digest` pulls).
 */
export async function pushImage(localImage: string, host: string, name: string): Promise<string> {
  const target = `${host}/${name}`;
  await dockerOk(['tag', localImage, target]);
  try {
    const output = await dockerOk(['push', target]);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
    if (digest === undefined) throw new Error(`docker push ${target}: no digest in output:\n${output}`);
    return digest;
  } finally {
    await dockerOk(['rmi', target]);
  }
}
