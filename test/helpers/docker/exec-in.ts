// Runs a command inside a running container (`docker exec`), the way tests reach services without container IPs.
import { docker, type DockerResult } from './docker-cli.js';

/**
 * `docker exec <container> ...argv`: exit code and output exactly as printed (final newline kept); never throws on a
 * non-zero exit.
 */
export async function execIn(container: string, argv: string[]): Promise<DockerResult> {
  if (argv.length === 0) throw new Error('execIn: empty argv');
  return docker(['exec', container, ...argv], { stripFinalNewline: false });
}
