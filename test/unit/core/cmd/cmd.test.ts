// Golden tests: the exact text rig sends for each kind of command node.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  and,
  exec,
  fromFile,
  mergeStderr,
  not,
  or,
  pipe,
  redirect,
  secret,
  seq,
  sh,
  toFile,
  withEnv,
} from '../../../../src/core/cmd/cmd.js';
import { cmd } from '../../../../src/core/cmd/template.js';
import { display, render } from '../../../../src/core/cmd/render.js';
import { toRemote } from '../../../../src/core/cmd/remote.js';
import { quote, quoteCommandName } from '../../../../src/core/cmd/shell-quote.js';

describe('quote', () => {
  it.each([
    ['', "''"],
    ['abc', 'abc'],
    ['A-Za_z0.9/@%+=:,', 'A-Za_z0.9/@%+=:,'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['$(id)', "'$(id)'"],
    ['`id`', "'`id`'"],
    ['a;b', "'a;b'"],
    ['~', "'~'"],
    ['*', "'*'"],
    ['line\nbreak', "'line\nbreak'"],
    ['-rf', '-rf'],
    ['é', "'é'"],
  ])('quote(%j) is %s', (input, expected) => {
    expect(quote(input)).toBe(expected);
  });

  it('rejects NUL', () => {
    expect(() => quote('a\0b')).toThrow(/NUL/);
  });

  it('quotes assignments and reserved words in command position', () => {
    expect(quoteCommandName('A=b')).toBe("'A=b'");
    expect(quoteCommandName('if')).toBe("'if'");
    expect(quoteCommandName('ls')).toBe('ls');
  });
});

describe('cmd template', () => {
  it('makes each ${} exactly one argument', () => {
    const dir = "/tmp/a b; rm -rf / $(id) 'q'";
    expect(cmd`mkdir -p ${dir}`.argv).toEqual(['mkdir', '-p', dir]);
    expect(render(cmd`mkdir -p ${dir}`)).toBe(`mkdir -p '/tmp/a b; rm -rf / $(id) '\\''q'\\'''`);
  });

  it('joins a ${} with adjacent literal text and keeps empty values', () => {
    expect(cmd`docker ps --filter=label=${'a b'} ${''}`.argv).toEqual(['docker', 'ps', '--filter=label=a b', '']);
    expect(
      cmd`
      echo ${1}${2}
    `.argv,
    ).toEqual(['echo', '12']);
  });

  it('refuses shell syntax in literal text', () => {
    expect(() => cmd`echo hi; rm x`).toThrow(/shell syntax/);
    expect(() => cmd`echo 'quoted'`).toThrow(/shell syntax/);
    expect(() => cmd`echo $HOME`).toThrow(/shell syntax/);
  });
});

describe('render', () => {
  const a = cmd`test -d /x`;
  const b = cmd`mkdir -p /x`;
  const c = cmd`echo done`;

  it('renders operators', () => {
    expect(render(and(a, b))).toBe('test -d /x && mkdir -p /x');
    expect(render(or(a, b))).toBe('test -d /x || mkdir -p /x');
    expect(render(seq(a, b, c))).toBe('test -d /x; mkdir -p /x; echo done');
    expect(render(pipe(a, b))).toBe('test -d /x | mkdir -p /x');
    expect(render(and(and(a, b), c))).toBe('test -d /x && mkdir -p /x && echo done');
  });

  it('groups children that bind more loosely', () => {
    expect(render(or(and(a, b), c))).toBe('{ test -d /x && mkdir -p /x; } || echo done');
    expect(render(and(seq(a, b), c))).toBe('{ test -d /x; mkdir -p /x; } && echo done');
    expect(render(pipe(and(a, b), c))).toBe('{ test -d /x && mkdir -p /x; } | echo done');
    expect(render(and(pipe(a, b), c))).toBe('test -d /x | mkdir -p /x && echo done');
    expect(render(and(not(a), b))).toBe('! test -d /x && mkdir -p /x');
    expect(render(pipe(not(a), b))).toBe('{ ! test -d /x; } | mkdir -p /x');
    expect(render(not(and(a, b)))).toBe('! { test -d /x && mkdir -p /x; }');
  });

  it('renders redirections', () => {
    expect(render(toFile(c, '/tmp/o u t'))).toBe("echo done > '/tmp/o u t'");
    expect(render(toFile(c, '/tmp/o', { append: true }))).toBe('echo done >> /tmp/o');
    expect(render(fromFile(cmd`cat`, '/etc/hosts'))).toBe('cat < /etc/hosts');
    expect(render(mergeStderr(toFile(c, '/dev/null')))).toBe('echo done > /dev/null 2>&1');
    expect(render(redirect(and(a, b), { fd: 2, op: '>', path: '/tmp/e' }))).toBe(
      '{ test -d /x && mkdir -p /x; } 2> /tmp/e',
    );
    expect(render(redirect(c, { fd: 1, op: '>&', toFd: 2 }))).toBe('echo done >&2');
  });

  it('renders sh() with positional parameters', () => {
    expect(render(sh('mkdir -p "$1" && chmod "$2" "$1"', '/srv/a b', '0755'))).toBe(
      `/bin/sh -c 'mkdir -p "$1" && chmod "$2" "$1"' sh '/srv/a b' 0755`,
    );
  });

  it('quotes a command name that looks like an assignment', () => {
    expect(render(exec(['X=1', 'a']))).toBe("'X=1' a");
  });
});

describe('secrets', () => {
  const login = withEnv(cmd`docker login -u bot --password-stdin`, { PW: secret('hunter2'), MODE: 'ci' });

  it('render references a variable, display masks, neither contains the value', () => {
    expect(render(login)).toBe('PW="$__rig_secret_0" MODE=ci docker login -u bot --password-stdin');
    expect(display(login)).toBe('PW=*** MODE=ci docker login -u bot --password-stdin');
  });

  it('numbers secrets in tree order and sends them over stdin', () => {
    const two = and(withEnv(cmd`a`, { X: secret('s3cr3t\nline\\') }), withEnv(cmd`b`, { Y: secret("p4ss'w") }));
    const inv = toRemote(two, { sudo: false });
    expect(inv.command).not.toContain('s3cr3t');
    expect(inv.command).not.toContain('p4ss');
    expect(inv.stdinPrefix.toString()).toBe("s3cr3t\\nline\\\\\np4ss'w\n");
    expect(inv.display).toBe('X=*** a && Y=*** b');
  });

  it('rejects invalid environment names', () => {
    expect(() => exec(['a'], { 'A-B': 'x' })).toThrow(/invalid environment variable name/);
  });
});

describe('toRemote', () => {
  it('wraps in /bin/sh -c', () => {
    const remote = toRemote(cmd`mkdir -p ${'/a b'}`, { sudo: false }).command;
    expect(remote).toBe(`/bin/sh -c 'exec mkdir -p '\\''/a b'\\'''`);
  });

  it('hands the shell over (exec) only to a lone program: not a list, a builtin, a command with environment', () => {
    expect(toRemote(and(cmd`true`, cmd`false`), { sudo: false }).command).toBe(`/bin/sh -c 'true && false'`);
    expect(toRemote(cmd`umask 077`, { sudo: false }).command).toBe(`/bin/sh -c 'umask 077'`);
    expect(toRemote(exec(['env'], { A: 'b' }), { sudo: false }).command).toBe(`/bin/sh -c 'A=b env'`);
  });

  it('sends an sh script as it is (the login shell runs /bin/sh once), but wraps it for sudo', () => {
    const script = sh('echo "$1"', 'a b');
    expect(toRemote(script, { sudo: false }).command).toBe(`/bin/sh -c 'echo "$1"' sh 'a b'`);
    expect(toRemote(script, { sudo: true }).command).toMatch(/^\/bin\/sh -c 'sudo -n true /);
    expect(execFileSync('/bin/sh', ['-c', toRemote(script, { sudo: false }).command]).toString()).toBe('a b\n');
  });

  it('wraps with a sudo -n pre-check when becoming root', () => {
    expect(toRemote(cmd`id -u`, { sudo: true }).command).toBe(
      "/bin/sh -c 'sudo -n true 2>/dev/null || { printf '\\''%s\\n'\\'' '\\''rig: become failed: sudo -n cannot run here (sudo missing, or it needs a password)'\\'' >&2; exit 97; }\n" +
        "exec sudo -n -H -- /bin/sh -c '\\''exec id -u'\\'''",
    );
  });

  it('reads secrets before the command', () => {
    const inv = toRemote(withEnv(cmd`env`, { T: secret('x') }), { sudo: false });
    expect(inv.command).toBe(
      `/bin/sh -c 'IFS= read -r __rig_secret_0 && __rig_secret_0=$(printf '\\''%bx'\\'' "$__rig_secret_0") && __rig_secret_0=\${__rig_secret_0%x} || exit 1\nT="$__rig_secret_0" env'`,
    );
  });
});
