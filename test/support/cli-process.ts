/** Runs the `greenlight` command as a process, as an operator would, and collects what it printed. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PATIENCE_MS } from './patience.js';
import { REPO_ROOT } from './service-process.js';

const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The AWS SDK's one-time notice on Node 20 that its 2027 releases need Node 22: true, and not
 * greenlight's to hide from operators, but not what these tests are about.
 */
export function withoutSdkNodeWarning(stderr: string): string {
  return stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning:[\s\S]*?https:\/\/a\.co\/\S+\n(\(Use `node --trace-warnings[^\n]*\n)?/, '');
}

/** `node dist/plugin/cli/main.js ...args` with exactly `env` (nothing inherited but what it names). */
export async function runGreenlight(args: readonly string[], env: Readonly<Record<string, string>>, timeoutMs = PATIENCE_MS): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', [join(REPO_ROOT, 'dist', 'plugin', 'cli', 'main.js'), ...args], { env, timeout: timeoutMs });
    return { code: 0, stdout, stderr: withoutSdkNodeWarning(stderr) };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: withoutSdkNodeWarning(e.stderr) };
  }
}
