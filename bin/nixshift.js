#!/usr/bin/env node
// The nixshift launcher. `--version` is answered without loading the CLI (start-up time).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// V8 compiles a function with its optimizing compiler once it has run for a while (its
// "interrupt budget"). The default suits programs that run for minutes; a run of nixshift is over
// in seconds, and most of the code it runs hot runs for a few hundred files: compiling it cost
// more than it saved (see "Performance" in the README). Functions that stay hot are still compiled.
setFlagsFromString('--interrupt-budget=600000');

// A closed pipe (`nixshift … | head`) ends the output quietly, like other Unix tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
} else {
  const cli = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) {
    process.stderr.write(`nixshift: not built yet (${cli} is missing); run \`npm install\` (or \`npm run build\`) in ${root}\n`);
    process.exitCode = 2;
  } else {
    const { main } = await import(cli);
    const readStdin = async () => {
      const chunks = [];
      for await (const c of process.stdin) chunks.push(c);
      return Buffer.concat(chunks).toString('utf8');
    };
    // --interactive: on a terminal an answer is one key, no Enter (Ctrl-C interrupts, Ctrl-D
    // ends the input); piped answers are read a line at a time (buffered).
    const key = () =>
      new Promise((resolve) => {
        const stdin = process.stdin;
        stdin.setRawMode(true);
        stdin.resume();
        const onData = (buf) => {
          for (const ch of buf.toString('utf8')) {
            if (ch === '\r' || ch === '\n' || ch === ' ') continue;
            stdin.off('data', onData);
            stdin.setRawMode(false);
            stdin.pause();
            if (ch === '\u0004') return resolve(undefined);
            process.stdout.write(ch === '\u0003' ? '^C\n' : `${ch}\n`);
            if (ch === '\u0003') {
              process.kill(process.pid, 'SIGINT');
              return resolve('q');
            }
            return resolve(ch);
          }
        };
        stdin.on('data', onData);
      });
    let rl;
    let lines;
    const prompt = async (question) => {
      if (process.stdin.isTTY && typeof process.stdin.setRawMode === 'function') {
        process.stdout.write(question);
        const k = await key();
        if (k === undefined) process.stdout.write('\n');
        return k;
      }
      if (!lines) {
        const { createInterface } = await import('node:readline');
        rl = createInterface({ input: process.stdin, terminal: false });
        lines = rl[Symbol.asyncIterator]();
      }
      process.stdout.write(question);
      const next = await lines.next();
      if (next.done) {
        process.stdout.write('\n');
        return undefined;
      }
      return next.value;
    };
    // SIGINT/SIGTERM during a run: handled by the run (stop after the files in progress; a
    // second signal stops at once). Outside a run the default applies, except once a run was
    // interrupted: a second signal while the summary is printed still stops at once, with the
    // exit code of the interrupted run (130/143), not death by signal.
    const onSignal = (handler) => {
      let first;
      const on = (signal) => {
        first ??= signal;
        handler(signal);
      };
      process.on('SIGINT', on);
      process.on('SIGTERM', on);
      return () => {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
        if (first) {
          const exitNow = () => process.exit(first === 'SIGTERM' ? 143 : 130);
          process.on('SIGINT', exitNow);
          process.on('SIGTERM', exitNow);
        }
      };
    };
    process.exitCode = await main(args, { stdout: process.stdout, stderr: process.stderr, readStdin, prompt, cwd: process.cwd(), env: process.env, onSignal });
    // A terminal on stdin keeps the process alive until it is let go.
    rl?.close();
    if (rl) process.stdin.destroy();
  }
}
