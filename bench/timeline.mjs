// Profiling aid (not part of the measured runs): preload into a rig command to see where its wall time goes.
//   node --import ./bench/timeline.mjs bin/rig.js deploy --root bench/project --env bench
// Prints to stderr at exit, in ms since the process started: when this preload ran (node bootstrap), the first
// TCP connect (everything before it is module loading and project loading/rendering), per host the SSH
// handshake, each exec channel, and the exit.
import { createRequire } from 'node:module';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const ms = () => performance.now().toFixed(0);
const events = [`${ms()} preload (node bootstrap done)`];
const require = createRequire(new URL('../package.json', import.meta.url));
const { Client } = require('ssh2');

const connect = net.Socket.prototype.connect;
let firstConnect = true;
net.Socket.prototype.connect = function (...args) {
  if (firstConnect) events.push(`${ms()} first TCP connect (CLI + project loaded, templates rendered)`);
  firstConnect = false;
  return connect.apply(this, args);
};

const clientConnect = Client.prototype.connect;
Client.prototype.connect = function (cfg) {
  const t0 = performance.now();
  const name = `${cfg.host}:${cfg.port}`;
  this.once('ready', () =>
    events.push(`${ms()} ${name} ssh ready (handshake ${(performance.now() - t0).toFixed(0)} ms)`),
  );
  return clientConnect.call(this, cfg);
};

const exec = Client.prototype.exec;
Client.prototype.exec = function (cmd, ...rest) {
  const t0 = performance.now();
  const cb = rest.pop();
  const peer = `${this.config?.host}:${this.config?.port}`;
  return exec.call(this, cmd, ...rest, (err, stream) => {
    stream?.once('close', () =>
      events.push(
        `${ms()} ${peer} exec done (${(performance.now() - t0).toFixed(0)} ms, ${String(cmd).length} bytes of command)`,
      ),
    );
    cb(err, stream);
  });
};

process.on('exit', () => {
  events.push(`${ms()} exit`);
  process.stderr.write(`${events.join('\n')}\n`);
});
