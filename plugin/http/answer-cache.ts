/**
 * @module Serialized answers to identical requests, for a moment. Argo CD sends the same bytes
 * over and over (every reconcile, every webhook, ten ApplicationSets at once); building each
 * answer anew costs far more than sending it. Only complete 2xx answers are kept, for `ttlMs`
 * (about a second by default): short enough that the full path, and with it every refresh of
 * facts and every inventory change, is reached at least that often for each distinct request.
 */

/** A complete answer as sent, with what its access log line says of it. */
export interface Answer {
  readonly body: Buffer;
  /** How many parameter sets it holds. */
  readonly sets: number;
  /** The ApplicationSet that asked (the same bytes name the same one). */
  readonly applicationSetName: string;
}

interface Entry extends Answer {
  readonly expires: number;
}

export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The cache key of a request body: its bytes, one character each (latin1 maps every byte to one). */
  static keyOf(body: Buffer): string {
    return body.toString('latin1');
  }

  /** The answer to exactly these request bytes (see keyOf), if one is fresh. */
  get(key: string): Answer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.delete(key, entry);
      return undefined;
    }
    return entry;
  }

  set(key: string, answer: Answer): void {
    const { body } = answer;
    if (!this.enabled || body.length > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) this.delete(key, old);
    // Oldest first: Map keeps insertion order.
    for (const [k, e] of this.entries) {
      if (this.bytes + body.length <= this.maxBytes) break;
      this.delete(k, e);
    }
    this.entries.set(key, { ...answer, expires: this.now() + this.ttlMs });
    this.bytes += body.length;
  }

  private delete(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.body.length;
  }
}
