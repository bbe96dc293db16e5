// The fact batch run by a real /bin/sh: parts in order with their own exit codes, stdin to the first, the gate, binary
// output.
import { describe, expect, it } from 'vitest';
import { and, exec, sh } from '../../../../src/core/cmd/cmd.js';
import { cmdBatch } from '../../../../src/core/cmd/batch.js';
import { LocalTransport } from '../../../../src/transport/local-transport.js';

describe('fact batch', () => {
  const t = new LocalTransport('workstation');

  it('runs every part in one exec, each with its own output and exit code, the first reading stdin', async () => {
    const b = cmdBatch([
      sh('IFS= read -r x; printf "got %s" "$x"'),
      sh('printf "a\\000b\\n"; exit 3'),
      exec(['printf', '%s', 'no newline at end']),
    ]);
    const r = await t.exec(b.cmd, { stdin: 'line one\nline two\n' });
    expect(r.code).toBe(0);
    const parts = b.split(r.stdoutBytes);
    expect(parts.map((p) => p.code)).toEqual([0, 3, 0]);
    expect(parts.map((p) => p.stdout.toString('utf8'))).toEqual(['got line one', 'a\0b\n', 'no newline at end']);
    expect(t.counters.execChannels).toBe(1);
  });

  it('with a gate, a failing first part ends the batch with its exit code, the rest never runs', async () => {
    const b = cmdBatch([sh('echo held; exit 75'), sh('touch /nonexistent-dir-rig/x; echo ran')], { gate: true });
    const r = await t.exec(b.cmd);
    expect(r.code).toBe(75);
    expect(b.split(r.stdoutBytes)).toEqual([{ code: 75, stdout: Buffer.from('held\n') }]);
  });

  it('runs compound parts, parts with an environment and arguments holding shell syntax, expanding nothing', async () => {
    const odd = `$d "$@" $(echo no) \`echo no\` ' *`;
    const b = cmdBatch([
      and(exec(['printf', '%s|', odd]), exec(['printf', 'and'])),
      exec(['sh', '-c', 'printf %s "$V"'], { V: odd }),
      sh('printf "%s" "$#:$1"', odd),
    ]);
    const parts = b.split((await t.exec(b.cmd)).stdoutBytes);
    expect(parts.map((p) => [p.code, p.stdout.toString()])).toEqual([
      [0, `${odd}|and`],
      [0, odd],
      [0, `1:${odd}`],
    ]);
  });

  it("an `exit` inside a part ends only that part, and a part cannot forge another batch's delimiter", async () => {
    const forged = cmdBatch([exec(['true'])]);
    const b = cmdBatch([sh('exit 0'), sh('printf "\\n__rig_part_0000000000000000 1 9\\n"')]);
    const parts = b.split((await t.exec(b.cmd)).stdoutBytes);
    expect(parts.map((p) => p.code)).toEqual([0, 0]);
    expect(parts[1]?.stdout.toString()).toContain('__rig_part_0000000000000000 1 9');
    expect(forged.split(Buffer.from(''))).toEqual([]);
  });

  it("runs each part in a subshell: no batch variable, no other part's variable or function, its own EXIT trap", async () => {
    const b = cmdBatch([
      sh('x=1; f() { :; }; trap "echo trapped" EXIT; printf "[%s%s%s%s]" "$d" "$gate" "$i" "$c"'),
      sh('printf "%s|" "${x-unset}" "$(command -v f || echo nofunc)" "$#" "$1" "$2"', 'a b', ''),
      exec(['printf', '%s', 'plain']),
    ]);
    const r = await t.exec(b.cmd);
    const out = b.split(r.stdoutBytes).map((p) => p.stdout.toString());
    expect(out).toEqual(['[]trapped\n', 'unset|nofunc|2|a b||', 'plain']);
  });
});
