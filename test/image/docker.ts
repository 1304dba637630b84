/**
 * @module The docker CLI, as the image test drives it: every call is a real `docker` process
 * against the local daemon, and a failure says which command failed and what docker printed.
 */
import { execFile, spawn } from 'node:child_process';

export interface DockerResult {
  stdout: string;
  stderr: string;
}

/** Runs `docker ARGS…`; rejects with the command and docker's own stderr when it exits non-zero. */
export function docker(args: readonly string[], options: { allowFailure?: boolean } = {}): Promise<DockerResult & { code: number }> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(noDocker('the docker command is not installed')));
        return;
      }
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      if (code !== 0 && !options.allowFailure) {
        reject(new Error(`docker ${shortArgs(args)} exited ${code}:\n${stderr.trim() || stdout.trim()}`));
        return;
      }
      resolve({ stdout, stderr, code });
    });
  });
}

/**
 * Runs a long docker command (a build), keeping only the tail of its output for the failure
 * message, so a build that fails says why without flooding the test report.
 */
export function dockerStreaming(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(noDocker(`docker could not be started (${err.message})`))));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`docker ${shortArgs(args)} exited ${code}; its last output:\n${tail}`));
    });
  });
}

/** The advice when docker cannot work here: the image test fails loudly, it never passes quietly. */
export function noDocker(why: string): string {
  return (
    `npm run test:image needs Docker and ${why}. ` +
    'Install Debian\'s docker.io and start the daemon as root (sudo scripts/dockerd.sh start, as .ci/run does), ' +
    'or run it where docker works; developers without docker run npm test, which does not need it.'
  );
}

function shortArgs(args: readonly string[]): string {
  return args.map((a) => (a.length > 80 ? `${a.slice(0, 77)}...` : a)).join(' ');
}
