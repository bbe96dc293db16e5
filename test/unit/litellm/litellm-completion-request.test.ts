// The two completion scripts of the litellm-completion check, run for real (Debian's python3; busybox sh, nc, sed…, as
// in the stand-in) against a local HTTP server answering the stand-in's answers: the same output, parsed the same way.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionRequestCmd, parseCompletionAnswers } from '../../../src/litellm/completion-request.js';
import { REPO_ROOT } from '../../helpers/project.js';

const ANSWERS = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'scripts/fakes/litellm-completion-answers.json'), 'utf8'),
) as Record<string, { status: number; body: string }>;
const KEY = 'sk-master-for-the-script';
const PYTHON = '/usr/bin/python3';
const BUSYBOX = '/usr/bin/busybox';

/** Answers POST /v1/chat/completions with the case named like the model (`no-credit` …); records what it was sent. */
function answering(seen: unknown[]): Server {
  return createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(data) as { model: string; max_tokens: number };
      seen.push({ auth: req.headers.authorization, path: req.url, ...body });
      const a = ANSWERS[body.model] ?? { status: 500, body: 'no such case' };
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body.replace(/MODEL_NAME/g, body.model));
    });
  });
}

function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(argv[0] ?? '', argv.slice(1), { env, encoding: 'buffer', timeout: 30_000 }, (err, stdout) =>
      err ? reject(new Error(err.message)) : resolve(stdout),
    );
  });
}

describe('the completion request scripts', () => {
  const seen: unknown[] = [];
  const server = answering(seen);
  let port = 0;
  const models = ['ok', 'no-credit', 'quota', 'proxy-key', 'error-in-200'];

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
  });

  it.each([
    ['python', PYTHON],
    ['sh', BUSYBOX],
  ] as const)(
    '%s: one request per model with max_tokens 5 and the key from the environment; status and body back',
    async (tool, needs) => {
      if (!existsSync(needs)) return console.warn(`SKIP the ${tool} completion script: ${needs} missing`);
      seen.length = 0;
      const cmd = completionRequestCmd('c', { port, keyVar: 'RIG_KEY', maxTokens: 5, models, tool });
      expect(cmd.argv.slice(0, 3)).toEqual(['docker', 'exec', 'c']);
      let env: NodeJS.ProcessEnv = { RIG_KEY: KEY, PATH: '/usr/bin:/bin' };
      let argv = cmd.argv.slice(3);
      if (tool === 'sh') {
        // the stand-in's tools: busybox applets only
        const bin = mkdtempSync(path.join(os.tmpdir(), 'rig-busybox-'));
        for (const a of ['sh', 'nc', 'timeout', 'sed', 'tr', 'head', 'wc', 'printf'])
          symlinkSync(BUSYBOX, path.join(bin, a));
        env = { RIG_KEY: KEY, PATH: bin };
        argv = [path.join(bin, 'sh'), ...argv.slice(1)];
      }
      const answers = parseCompletionAnswers(await run(argv, env));
      expect(answers.map((a) => [a.model, a.status])).toEqual(models.map((m) => [m, ANSWERS[m]?.status]));
      expect(answers.map((a) => a.body)).toEqual(models.map((m) => ANSWERS[m]?.body.replace(/MODEL_NAME/g, m)));
      expect(seen).toEqual(
        models.map((model) => ({
          auth: `Bearer ${KEY}`,
          path: '/v1/chat/completions',
          model,
          messages: [{ role: 'user', content: 'Reply with OK.' }],
          max_tokens: 5,
        })),
      );
    },
  );

  it("no HTTP answer: status 0 with the client's error; refuses a key name that is no variable and max_tokens above 5", async () => {
    if (!existsSync(PYTHON)) return console.warn(`SKIP: ${PYTHON} missing`);
    const cmd = completionRequestCmd('c', { port: 1, keyVar: 'K', maxTokens: 1, models: ['m'], tool: 'python' });
    const [a] = parseCompletionAnswers(await run(cmd.argv.slice(3), { PATH: '/usr/bin:/bin' }));
    expect([a?.status, a?.body]).toEqual([0, expect.stringMatching(/Connection refused/)]);
    expect(() => completionRequestCmd('c', { port, keyVar: '$(id)', maxTokens: 5, models: [], tool: 'sh' })).toThrow(
      'is not an environment variable name',
    );
    expect(() => completionRequestCmd('c', { port, keyVar: 'K', maxTokens: 6, models: [], tool: 'sh' })).toThrow(
      'max_tokens must be 1 to 5',
    );
  });

  it('parses bodies by their byte count (UTF-8, line breaks), and refuses a stray line', () => {
    const body = '{"error":{"message":"é\\nline"}}\nsecond line';
    const out = `@@rig-completion 402 ${Buffer.byteLength(body)} a b\n${body}\n@@rig-completion 200 2 c\n{}\n`;
    expect(parseCompletionAnswers(out)).toEqual([
      { model: 'a b', status: 402, body },
      { model: 'c', status: 200, body: '{}' },
    ]);
    expect(() => parseCompletionAnswers('Traceback (most recent call last):\n')).toThrow('unexpected output');
  });
});
