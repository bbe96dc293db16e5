// The completion request of the litellm-completion smoke check, run inside the LiteLLM container (its own python3, or
// busybox sh + nc in the stand-in), and the pure parser of what it prints. The master key never leaves the container:
// the script reads it from the container's environment, by the name general_settings.master_key gives.
import { exec, type ExecNode } from '../core/cmd/cmd.js';

/** What the script printed for one model: the HTTP status (0: no HTTP answer) and the body (at most 4000 bytes). */
export interface CompletionAnswer {
  readonly model: string;
  readonly status: number;
  readonly body: string;
}

/** The prompt: a reply of one or two tokens; max_tokens caps what is billed. */
const PROMPT = 'Reply with OK.';

// argv: port, the master key's env var name, max_tokens, then the models. Per model: `@@rig-completion STATUS BYTES
// MODEL` then exactly BYTES bytes of body and a newline.
const PYTHON = `import json, os, sys, urllib.request, urllib.error
port, keyvar, maxtok = sys.argv[1], sys.argv[2], int(sys.argv[3])
for m in sys.argv[4:]:
    data = json.dumps({"model": m, "messages": [{"role": "user", "content": ${JSON.stringify(PROMPT)}}], "max_tokens": maxtok}).encode()
    req = urllib.request.Request("http://127.0.0.1:%s/v1/chat/completions" % port, data=data, headers={"Authorization": "Bearer " + os.environ.get(keyvar, ""), "Content-Type": "application/json"})
    try:
        r = urllib.request.urlopen(req, timeout=45)
        status, text = r.status, r.read(4000)
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read(4000)
    except Exception as e:
        status, text = 0, str(e).encode()
    sys.stdout.buffer.write(("@@rig-completion %d %d %s\\n" % (status, len(text), m)).encode() + text + b"\\n")
    sys.stdout.flush()`;

// The same over busybox nc: one HTTP/1.0 request per model (no chunked answer to undo), split at the first blank line.
const SH = `port=$1 keyvar=$2 maxtok=$3; shift 3
eval "key=\\\${$keyvar:-}"
for m do
  q=$(printf '%s' "$m" | sed 's/[\\\\"]/\\\\&/g')
  b=$(printf '{"model":"%s","messages":[{"role":"user","content":"${PROMPT}"}],"max_tokens":%s}' "$q" "$maxtok")
  r=$(printf 'POST /v1/chat/completions HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\nAuthorization: Bearer %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' "$key" "$(printf '%s' "$b" | wc -c)" "$b" | timeout 45 nc 127.0.0.1 "$port" 2>&1)
  status=$(printf '%s\\n' "$r" | head -n 1 | sed -n 's/^HTTP\\/[0-9.]* \\([0-9][0-9][0-9]\\).*/\\1/p')
  if [ -n "$status" ]; then body=$(printf '%s' "$r" | tr -d '\\r' | sed '1,/^$/d' | head -c 4000); else status=0 body=$r; fi
  printf '@@rig-completion %s %s %s\\n%s\\n' "$status" "$(printf '%s' "$body" | wc -c)" "$m" "$body"
done`;

/**
 * `docker exec` into the LiteLLM container: one completion of at most `maxTokens` tokens per model, asked of the proxy
 * on 127.0.0.1:`port` with the master key from the container's variable `keyVar` (python3, or `sh` for the stand-in).
 */
export function completionRequestCmd(
  container: string,
  opts: { port: number; keyVar: string; maxTokens: number; models: readonly string[]; tool: 'python' | 'sh' },
): ExecNode {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.keyVar))
    throw new Error(`completion request: ${JSON.stringify(opts.keyVar)} is not an environment variable name`);
  if (!Number.isInteger(opts.maxTokens) || opts.maxTokens < 1 || opts.maxTokens > 5)
    throw new Error('completion request: max_tokens must be 1 to 5 (the check pays for it)');
  const args = [String(opts.port), opts.keyVar, String(opts.maxTokens), ...opts.models];
  return opts.tool === 'python'
    ? exec(['docker', 'exec', container, 'python3', '-c', PYTHON, ...args])
    : exec(['docker', 'exec', container, 'sh', '-c', SH, 'sh', ...args]);
}

/** The answers in `stdout`, in order; throws on a header that is not one (the script did not run as written). */
export function parseCompletionAnswers(stdout: Buffer | string): CompletionAnswer[] {
  const buf = Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout);
  const out: CompletionAnswer[] = [];
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(0x0a, at);
    const header = buf.subarray(at, nl < 0 ? buf.length : nl).toString('utf8');
    const m = /^@@rig-completion (\d+) (\d+) (.*)$/.exec(header);
    if (!m) {
      if (header.trim() === '') {
        at = nl < 0 ? buf.length : nl + 1;
        continue;
      }
      throw new Error(`completion request: unexpected output ${JSON.stringify(header.slice(0, 120))}`);
    }
    const start = nl + 1;
    const end = start + Number(m[2]);
    out.push({ model: m[3] ?? '', status: Number(m[1]), body: buf.subarray(start, end).toString('utf8') });
    at = end + 1;
  }
  return out;
}
