/**
 * @module Where the bearer token comes from. A file (a mounted Kubernetes Secret) is re-read
 * when it changes, so a rotated token takes effect without a restart. The token is never logged.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../logger.js';

export interface TokenSource {
  /** The current token (trimmed, as Argo CD trims the Secret value). */
  current(): string;
  /** Where the token comes from, for messages: never the token itself. */
  readonly origin: string;
  close(): void;
}

export class StaticTokenSource implements TokenSource {
  constructor(
    private readonly token: string,
    readonly origin = 'GREENLIGHT_TOKEN',
  ) {}
  current(): string {
    return this.token;
  }
  close(): void {}
}

function readToken(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  if (token === '') throw new Error(`the token file ${path} is empty`);
  return token;
}

/**
 * Reads the token file at start (failing loudly) and then checks it every `reloadMs`.
 * Kubernetes updates Secret volumes by swapping a symlink, so the check compares the file's
 * identity and mtime rather than relying on inotify events.
 */
export class FileTokenSource implements TokenSource {
  private token: string;
  private stamp: string;
  private readonly timer: NodeJS.Timeout;
  readonly origin: string;

  constructor(
    private readonly path: string,
    reloadMs: number,
    private readonly logger: Logger,
    variable = 'GREENLIGHT_TOKEN_FILE',
  ) {
    this.origin = `the file ${path} (${variable})`;
    this.token = readToken(path);
    this.stamp = this.fileStamp();
    this.timer = setInterval(() => this.reload(), reloadMs);
    this.timer.unref();
  }

  private fileStamp(): string {
    const s = statSync(this.path);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  }

  private reload(): void {
    try {
      const stamp = this.fileStamp();
      if (stamp === this.stamp) return;
      this.token = readToken(this.path);
      this.stamp = stamp;
      this.logger.info({ tokenFile: this.path }, 'bearer token file changed; the new token is in effect');
    } catch (err) {
      this.logger.error({ tokenFile: this.path, err: (err as Error).message }, 'cannot re-read the bearer token file; keeping the previous token');
    }
  }

  current(): string {
    return this.token;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
