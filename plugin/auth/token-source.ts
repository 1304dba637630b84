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

/** The shortest token or proxy secret greenlight accepts, from a file or a variable alike. */
export const MIN_SECRET_LENGTH = 16;

/** Why a token file's (trimmed) text cannot be a token, or `undefined` when it can. Never quotes the text. */
export function secretFileProblem(path: string, text: string): string | undefined {
  const token = text.trim();
  if (token === '') return `the token file ${path} is empty`;
  if (token.length < MIN_SECRET_LENGTH) return `the token in the file ${path} is shorter than ${MIN_SECRET_LENGTH} characters`;
  return undefined;
}

class TokenFileError extends Error {}

function readToken(path: string): string {
  const text = readFileSync(path, 'utf8');
  const problem = secretFileProblem(path, text);
  if (problem !== undefined) throw new TokenFileError(problem);
  return text.trim();
}

/**
 * Reads the token file at start (failing loudly) and then checks it every `reloadMs`. A file that
 * is empty or shorter than `MIN_SECRET_LENGTH` is refused at start and ignored on reload (the
 * previous token stays, with a warning).
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
    let stamp: string | undefined;
    try {
      stamp = this.fileStamp();
      if (stamp === this.stamp) return;
      this.token = readToken(this.path);
      this.stamp = stamp;
      this.logger.info({ tokenFile: this.path }, 'bearer token file changed; the new token is in effect');
    } catch (err) {
      // An empty or short file is usually a Secret being rewritten: the old token stays valid
      // meanwhile. Warned once per change of the file, not at every check.
      if (err instanceof TokenFileError) {
        if (stamp !== undefined) this.stamp = stamp;
        this.logger.warn({ tokenFile: this.path, problem: err.message }, 'the bearer token file holds no usable token; keeping the previous token');
      } else this.logger.error({ tokenFile: this.path, err: (err as Error).message }, 'cannot re-read the bearer token file; keeping the previous token');
    }
  }

  current(): string {
    return this.token;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
