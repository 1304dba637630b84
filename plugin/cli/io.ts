/** @module Where a command writes: stdout for results, stderr for progress, checks and errors. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress then rewrites one line). */
  readonly errIsTty?: boolean;
}
