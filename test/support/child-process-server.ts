/**
 * @module Starts a third-party server (moto, Prometheus) as a child process for a test: fails
 * with how to install it when it is missing (never skips), waits for the line that names its
 * port, and stops it (SIGTERM, then SIGKILL) when the test says so or the test process exits.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { PATIENCE_MS } from './patience.js';

const running = new Set<ChildProcessByStdio<null, Readable, Readable>>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ChildServer {
  readonly pid: number;
  readonly port: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startChildServer(options: {
  readonly command: string;
  readonly args: readonly string[];
  readonly install: string;
  /** Finds the listening port in the output so far. */
  readonly port: (output: string) => number | undefined;
}): Promise<ChildServer> {
  const child = spawn(options.command, [...options.args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  running.add(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failedToSpawn = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  };
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const port = options.port(output);
    if (port !== undefined) return { pid: child.pid ?? -1, port, output: () => output, stop };
    const early = await Promise.race([failedToSpawn.then((e) => e), exited.then((c) => c), new Promise((r) => setTimeout(() => r('wait'), 50))]);
    if (early instanceof Error) {
      running.delete(child);
      throw new Error(`${options.command} could not be started (${(early as NodeJS.ErrnoException).code ?? early.message}): this test needs it. ${options.install}`);
    }
    if (early !== 'wait') {
      running.delete(child);
      throw new Error(`${options.command} exited (${String(early)}) before it listened: this test needs it. ${options.install}\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.command} did not say which port it listens on within ${PATIENCE_MS} ms\n${output}`);
    }
  }
}
