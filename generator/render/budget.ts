/**
 * @module The work one request may spend rendering its templates, counted WHILE rendering: steps
 * (every node visited, every loop iteration, helper work by the character), characters of output
 * and, through an injected clock, time. One budget is shared by every var of every selected
 * cluster of a request, so that a template whose loops multiply (`#each` inside `#each` over
 * `@root`) is stopped within a bounded amount of work instead of holding the process.
 */

/** The most characters one var may render to (per cluster), checked as the output grows. */
export const MAX_RENDERED_LENGTH = 16 * 1024;

/** The default time budget of one request's rendering (GREENLIGHT_RENDER_BUDGET_MS). */
export const DEFAULT_RENDER_BUDGET_MS = 100;

/**
 * Steps per millisecond of budget. The step bound is the deterministic one (the same request
 * always gets the same answer, loaded machine or not); the clock is the backstop for slower
 * machines and costlier steps. Measured on a busy 2-core machine: the interpreter does 20 to 40
 * steps per microsecond once optimized, so the default 1,000,000 steps stop loops nested in loops
 * after 30 to 80 ms of CPU, while a request over 1,000 clusters with five ordinary vars takes
 * about 110,000 steps. See README "Templates".
 */
export const STEPS_PER_MS = 10_000;

/** Characters a helper reads or writes per step charged (`replace` on 16 KiB costs 1,024 steps). */
export const CHARACTERS_PER_STEP = 16;

/** Rendered characters per request, summed over clusters and vars (the answer's size bound). */
export const MAX_REQUEST_OUTPUT = 4 * 1024 * 1024;

/** How many steps pass between two readings of the clock. */
const CLOCK_EVERY = 1024;

export interface RenderLimits {
  /** Steps per request (nodes visited, loop iterations, helper characters / CHARACTERS_PER_STEP). */
  readonly maxSteps: number;
  /** Characters rendered per request, over all clusters and vars. */
  readonly maxOutput: number;
  /** Milliseconds per request, measured with the injected clock (not checked without one). */
  readonly maxMs: number;
}

/** The limits that go with a time budget: the step bound scales with it. */
export function renderLimits(budgetMs: number = DEFAULT_RENDER_BUDGET_MS): RenderLimits {
  return { maxSteps: budgetMs * STEPS_PER_MS, maxOutput: MAX_REQUEST_OUTPUT, maxMs: budgetMs };
}

export type BudgetKind = 'steps' | 'output' | 'time';

/** Thrown while rendering when a request's budget runs out. Not a template error: it ends the request. */
export class RenderBudgetExceeded extends Error {
  constructor(
    readonly kind: BudgetKind,
    readonly limits: RenderLimits,
    message: string,
  ) {
    super(message);
    this.name = 'RenderBudgetExceeded';
  }
}

/**
 * One request's budget. `now` is a clock in milliseconds injected by the adapter (greenlight's
 * server passes the process's CPU time). Time runs from construction; `pause`/`resume` leave
 * out the time a request spends waiting (for facts), when other requests run.
 */
export class RenderBudget {
  private steps = 0;
  private output = 0;
  private nextClock: number;
  private spent = 0;
  private since: number | undefined;

  constructor(
    readonly limits: RenderLimits = renderLimits(),
    private readonly now?: () => number,
  ) {
    this.since = now?.();
    this.nextClock = Math.min(CLOCK_EVERY, limits.maxSteps + 1);
  }

  /** Stops counting time (before an await). */
  pause(): void {
    if (this.now !== undefined && this.since !== undefined) this.spent += this.now() - this.since;
    this.since = undefined;
  }

  /** Counts time again (after an await). */
  resume(): void {
    if (this.now !== undefined && this.since === undefined) this.since = this.now();
  }

  /** Reads the clock now (after work that is not counted in steps, like compiling); throws past the time bound. */
  checkTime(): void {
    if (this.now === undefined) return;
    const elapsed = this.spent + (this.since !== undefined ? this.now() - this.since : 0);
    if (elapsed > this.limits.maxMs) throw new RenderBudgetExceeded('time', this.limits, `rendering took more than ${this.limits.maxMs} ms`);
  }

  /** Charges `n` steps; throws `RenderBudgetExceeded` past the step or time bound. */
  step(n = 1): void {
    this.steps += n;
    if (this.steps >= this.nextClock) this.check();
  }

  /** Charges `n` characters of output; throws `RenderBudgetExceeded` past the bound. */
  emit(n: number): void {
    this.output += n;
    if (this.output > this.limits.maxOutput) {
      throw new RenderBudgetExceeded('output', this.limits, `the vars of this request render to more than ${this.limits.maxOutput} characters in all`);
    }
  }

  /** What has been spent so far (for tests and messages). */
  used(): { steps: number; output: number } {
    return { steps: this.steps, output: this.output };
  }

  private check(): void {
    if (this.steps > this.limits.maxSteps) {
      throw new RenderBudgetExceeded('steps', this.limits, `rendering took more than ${this.limits.maxSteps} steps`);
    }
    this.nextClock = Math.min(this.steps + CLOCK_EVERY, this.limits.maxSteps + 1);
    this.checkTime();
  }
}
