/**
 * @module The servers a benchmark measures, each in its own process so that the load generator
 * (in the benchmark's process) never shares a thread with them: greenlight as it ships
 * (`node dist/plugin/main.js`, logs at info to a file as a container's stdout would take them) and
 * the bare `node:http` baseline (`bench/bare-server.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVICE_ENTRY = join(REPO_ROOT, 'dist', 'plugin', 'main.js');
/** Node flags that make SIGUSR2 run a full garbage collection in the started process. */
export const GC_ON_SIGNAL = ['--expose-gc', '--import', join(REPO_ROOT, 'bench', 'support', 'gc-on-signal.mjs')] as const;
const BARE_SERVER = join(REPO_ROOT, 'bench', 'bare-server.ts');

export interface RunningServer {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Resident set size now, in bytes (Linux /proc). */
  rssBytes(): number;
  /** Everything the process wrote to stdout so far (its log). */
  log(): string;
  /** Sends a signal to the process (SIGUSR2 runs a full GC when started with `gcOnSignal`). */
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) * 1024;
}

async function waitUntil(url: string, child: ChildProcess, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the process exited (${child.exitCode ?? child.signalCode}) before it served\n${describe()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms\n${describe()}`);
}

function track(name: string, child: ChildProcess, url: string, logPath: string, stderr: () => string): RunningServer {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    pid: child.pid ?? -1,
    url,
    rssBytes: () => rssOf(child.pid ?? -1),
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '') + stderr(),
    signal: (signal) => {
      child.kill(signal);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function launch(args: string[], env: Record<string, string>, logPath: string): { child: ChildProcess; stderr: () => string } {
  const out = openSync(logPath, 'w');
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', out, 'pipe'] });
  closeSync(out);
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 1_000_000) stderr += chunk;
  });
  return { child, stderr: () => stderr };
}

/** The process's environment minus anything greenlight or AWS would read, plus `env`. */
function cleanEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'PORT' && !k.startsWith('GREENLIGHT_') && !k.startsWith('AWS_') && k !== 'KUBECONFIG') out[k] = v;
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Starts greenlight from `dist/` (run `npx tsc -b` first) and resolves once `readyPath` answers
 * 200 (`/readyz`: the inventory is loaded). `env` adds to a clean environment.
 */
export async function startGreenlight(
  env: Readonly<Record<string, string | undefined>>,
  options: { logPath: string; readyTimeoutMs?: number; nodeArgs?: readonly string[] },
): Promise<RunningServer> {
  if (!existsSync(SERVICE_ENTRY)) throw new Error(`${SERVICE_ENTRY} does not exist: run \`npx tsc -b\` first`);
  const port = await freePort();
  const { child, stderr } = launch([...(options.nodeArgs ?? []), SERVICE_ENTRY], cleanEnv({ ...env, PORT: String(port), GREENLIGHT_HOST: '127.0.0.1' }), options.logPath);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(`${url}/readyz`, child, options.readyTimeoutMs ?? 20_000, () => `${stderr()}\n${existsSync(options.logPath) ? readFileSync(options.logPath, 'utf8').slice(-4000) : ''}`);
  return track('greenlight', child, url, options.logPath, stderr);
}

/** Starts the bare `node:http` server answering every request with the bytes in `bodyPath`. */
export async function startBareServer(bodyPath: string, logPath: string): Promise<RunningServer> {
  const port = await freePort();
  const { child, stderr } = launch(['--import', 'tsx', BARE_SERVER, bodyPath, String(port)], cleanEnv({}), logPath);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(`${url}/healthz`, child, 20_000, stderr);
  return track('bare node:http', child, url, logPath, stderr);
}
