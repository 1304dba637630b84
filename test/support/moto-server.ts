/**
 * @module moto_server, the real AWS emulator, as a child process on 127.0.0.1 and a free port.
 * Used where moto has the API (EKS DescribeCluster and CreateCluster); the fake AWS
 * (fake-aws.ts) covers the rest. The test that starts it stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PATIENCE_MS } from './patience.js';

export interface MotoServer {
  /** `http://127.0.0.1:<port>`: the endpoint override for every SDK client. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts `moto_server -H 127.0.0.1 -p 0` and resolves once it says where it listens. */
export async function startMoto(): Promise<MotoServer> {
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`moto_server did not say where it listens within ${PATIENCE_MS} ms: ${output}`)), PATIENCE_MS);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`moto_server could not start (is moto installed? pip install 'moto[server]'): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited (${code}) before listening: ${output}`));
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
