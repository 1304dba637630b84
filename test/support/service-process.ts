/**
 * @module Starts the real greenlight service (`node dist/plugin/main.js`) as a child process on a
 * free port of 127.0.0.1, for tests that drive it over the wire. Assumes `npx tsc -b` has run
 * (`npm test` does it before vitest). Every started process is killed when the test process exits.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { eventually, PATIENCE_MS } from './patience.js';

/** The repository root: this file lives in `test/support/`. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVICE_ENTRY = join(REPO_ROOT, 'dist', 'plugin', 'main.js');

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>`, from the "greenlight is serving" log line. */
  readonly url: string;
  /** Every stdout line so far (the JSON log), in order; grows while the process runs. */
  readonly stdoutLines: readonly string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** stdout lines that parse as JSON objects. */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log line (past or future) matching `predicate`; rejects after `timeoutMs`. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /**
   * Sends `signal` and waits up to `timeoutMs` for the exit; then SIGKILLs and rejects. Safe to
   * call again after the process is gone.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitStatus & { elapsedMs: number }>;
}

export interface StartOptions {
  /** Environment overrides; `undefined` removes a variable. PORT defaults to 0, GREENLIGHT_HOST to 127.0.0.1. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for "greenlight is serving" (default PATIENCE_MS: a hang guard). */
  readonly startTimeoutMs?: number;
}

const running = new Set<ChildProcessByStdio<null, Readable, Readable>>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the service and resolves once it logs "greenlight is serving". The environment is the
 * test process's own minus any inherited `PORT` / `GREENLIGHT_*`, plus `options.env`. Rejects
 * (with the captured stderr and stdout) if the process exits first or does not serve in time.
 */
export async function startService(options: StartOptions = {}): Promise<ServiceProcess> {
  if (!existsSync(SERVICE_ENTRY)) {
    throw new Error(`${SERVICE_ENTRY} does not exist: run \`npx tsc -b\` first (npm test does)`);
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'PORT' && !k.startsWith('GREENLIGHT_')) env[k] = v;
  }
  env['PORT'] = '0';
  env['GREENLIGHT_HOST'] = '127.0.0.1';
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const child = spawn(process.execPath, [SERVICE_ENTRY], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const stdoutLines: string[] = [];
  const listeners = new Set<() => void>();
  let stderrText = '';
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    stdoutLines.push(...lines.filter((l) => l !== ''));
    for (const notify of listeners) notify();
  });
  child.stderr.on('data', (chunk: string) => {
    stderrText += chunk;
  });

  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      // Let the pipes drain so that the last lines are captured.
      setImmediate(() => {
        if (partial !== '') stdoutLines.push(partial);
        partial = '';
        exitStatus = { code, signal };
        for (const notify of listeners) notify();
        resolve(exitStatus);
      });
    });
  });

  const logs = () => stdoutLines.map(parseJsonLine).filter((l): l is Record<string, unknown> => l !== undefined);
  const describe = () =>
    `stderr:\n${stderrText.trim() || '(empty)'}\nstdout:\n${stdoutLines.join('\n').trim() || '(empty)'}`;

  const waitForLog = (predicate: (line: Record<string, unknown>) => boolean, timeoutMs = PATIENCE_MS) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = logs().find(predicate);
        if (found) {
          done();
          resolve(found);
        } else if (exitStatus) {
          done();
          reject(new Error(`greenlight exited (code ${exitStatus.code}, signal ${exitStatus.signal}) before the awaited log line\n${describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the awaited log line did not appear within ${timeoutMs} ms\n${describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = PATIENCE_MS) => {
    const started = Date.now();
    if (exitStatus) return { ...exitStatus, elapsedMs: 0 };
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`greenlight did not exit within ${timeoutMs} ms of ${signal}; killed it\n${describe()}`);
    }
    return { ...result, elapsedMs: Date.now() - started };
  };

  const startTimeoutMs = options.startTimeoutMs ?? PATIENCE_MS;
  let serving: Record<string, unknown>;
  try {
    serving = await waitForLog((l) => l['msg'] === 'greenlight is serving', startTimeoutMs);
  } catch (err) {
    if (!exitStatus) {
      child.kill('SIGKILL');
      await exited;
    }
    throw new Error(`greenlight did not start: ${(err as Error).message}`);
  }
  const url = String(serving['url']);
  const port = Number(new URL(url).port);
  if (!Number.isInteger(port) || port <= 0) {
    await stop('SIGKILL');
    throw new Error(`the serving log line has no usable url: ${JSON.stringify(serving)}`);
  }

  return {
    pid: child.pid ?? -1,
    port,
    url,
    stdoutLines,
    stderr: () => stderrText,
    logs,
    waitForLog,
    exited,
    stop,
  };
}

/** Resolves once `/readyz` answers 200: the inventory's first list is complete (the service serves before that). */
export async function untilReady(service: ServiceProcess): Promise<void> {
  await eventually(async () => {
    const res = await fetch(`${service.url}/readyz`);
    if (res.status !== 200) throw new Error(`/readyz answered ${res.status}: ${await res.text()}`);
  }, PATIENCE_MS, 100);
}
