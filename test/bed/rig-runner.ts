// rig run in-process against a test repository, as a user would type it (`--env test`), keeping every run's output.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { testIo } from '../helpers/test-io.ts';

/** What one rig command printed. */
export interface RigRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** More of one run's input: environment variables over the runner's, and stdin. */
export interface RigRunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
}

/** Runs rig in `root` with a HOME of its own; `transcript` holds each run (command, exit code, output) for dumps. */
export interface RigRunner {
  readonly home: string;
  readonly transcript: readonly string[];
  rig(args: readonly string[], opts?: RigRunOptions): Promise<RigRun>;
}

/** A runner for the repository at `root`; its temp HOME is the caller's to remove. */
export function rigRunner(root: string): RigRunner {
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
  const transcript: string[] = [];
  return {
    home,
    transcript,
    async rig(args, opts = {}) {
      const env = { HOME: home, PATH: process.env['PATH'], USER: 'tester', ...opts.env };
      const io = testIo({ cwd: root, env, ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}) });
      const code = await main([...args, '--env', 'test'], io);
      transcript.push(`$ rig ${args.join(' ')} --env test  → exit ${code}\n${io.outText()}${io.errText()}`);
      return { code, out: io.outText(), err: io.errText() };
    },
  };
}
