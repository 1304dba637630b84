/**
 * @module Serialized answers to identical requests, for a moment. Argo CD sends the same bytes
 * over and over (every reconcile, every webhook, ten ApplicationSets at once); building each
 * answer anew costs far more than sending it. Only complete 2xx answers are kept, for `ttlMs`
 * (about a second by default): short enough that the full path, and with it every refresh of
 * facts and every inventory change, is reached at least that often for each distinct request.
 *
 * Memory is bounded in bytes whatever callers send: an entry is keyed by the SHA-256 digest of
 * the request body (never the body itself), counts its answer, key and name, and the oldest
 * entries go first once `maxBytes` is reached. Expired entries are swept by a timer (unref'd,
 * running only while entries are held) and on every insert, not only when the same bytes come again.
 */
import { hash } from 'node:crypto';
import { ENTRY_OVERHEAD_BYTES, type CacheStats, type StatsSource } from '../cache-stats.js';

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
  readonly bytes: number;
}

/** The default of GREENLIGHT_ANSWER_CACHE_BYTES. */
export const DEFAULT_ANSWER_CACHE_BYTES = 64 * 1024 * 1024;

export class AnswerCache implements StatsSource {
  /** Insertion order is expiry order: every entry lives `ttlMs`, and a replaced one goes to the end. */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly maxBytes = DEFAULT_ANSWER_CACHE_BYTES,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The cache key of a request body: its SHA-256 digest (44 characters, about 0.4 µs for a typical body). */
  static keyOf(body: Buffer): string {
    return hash('sha256', body, 'base64');
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
    if (!this.enabled) return;
    const old = this.entries.get(key);
    if (old) this.delete(key, old);
    this.sweep();
    const bytes = answer.body.length + key.length * 2 + answer.applicationSetName.length * 2 + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.maxBytes) return;
    // Oldest first: Map keeps insertion order.
    for (const [k, e] of this.entries) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.delete(k, e);
    }
    this.entries.set(key, { ...answer, body: unpooled(answer.body), expires: this.now() + this.ttlMs, bytes });
    this.bytes += bytes;
    this.schedule();
  }

  /** Drops every expired entry (the oldest come first, so it stops at the first fresh one). */
  sweep(): void {
    const now = this.now();
    for (const [k, e] of this.entries) {
      if (e.expires > now) break;
      this.delete(k, e);
    }
  }

  stats(): CacheStats {
    return { entries: this.entries.size, bytes: this.bytes, maxBytes: this.maxBytes };
  }

  /** Stops the sweep timer and drops every entry. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.entries.clear();
    this.bytes = 0;
  }

  private delete(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  /** One timer at a time, due when the oldest entry expires; none while the cache is empty. */
  private schedule(): void {
    if (this.timer || this.entries.size === 0) return;
    const first = this.entries.values().next().value;
    const due = first ? Math.max(0, first.expires - this.now()) : this.ttlMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweep();
      this.schedule();
    }, due + 1);
    this.timer.unref();
  }
}

/**
 * The answer in a buffer of its own. Small buffers (under 4 KiB) are slices of a shared 8 KiB
 * pool: keeping one would keep the whole pool slab alive, which the byte count would not show.
 */
function unpooled(body: Buffer): Buffer {
  if (body.byteOffset === 0 && body.buffer.byteLength === body.length) return body;
  const own = Buffer.allocUnsafeSlow(body.length);
  body.copy(own);
  return own;
}
