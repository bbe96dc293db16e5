// A container's output, for assertions on log lines and for dumping when a test fails.
import { execa } from 'execa';
import { DOCKER } from '../../bed/bed-paths.js';
import { DOCKER_TIMEOUT_MS } from './docker-cli.js';

/** `docker logs [--tail n] <name>`, the container's stdout and stderr interleaved as they arrived at the client. */
export async function containerLogs(name: string, tail?: number): Promise<string> {
  const args = ['logs', ...(tail === undefined ? [] : ['--tail', String(tail)]), name];
  const { all } = await execa(DOCKER, args, { all: true, timeout: DOCKER_TIMEOUT_MS });
  return all;
}
