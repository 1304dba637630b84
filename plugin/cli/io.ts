/** @module Where a command writes: stdout for results, stderr for progress, checks and errors. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /**
   * How to report a long wait on stderr: `rewrite` one line (a terminal), one `lines` per report
   * (GREENLIGHT_PROGRESS=always without a terminal), or not at all (undefined: scripts and CI,
   * whose stderr a wait would clutter).
   */
  readonly progress?: 'rewrite' | 'lines' | undefined;
}
