/**
 * @module Compiled templates by source text, bounded by bytes: the controller sends the same
 * templates on every reconcile, and a caller sending many distinct large templates must not
 * grow memory without bound. Least recently used entries go first.
 */
import { compileTemplate, type CompiledTemplate } from './environment.js';

/** The default bound (GREENLIGHT_TEMPLATE_CACHE_BYTES). */
export const DEFAULT_TEMPLATE_CACHE_BYTES = 4 * 1024 * 1024;

/**
 * Estimated heap bytes per node of a compiled program (a statement, an expression, a block, with
 * their arrays and message text). Measured with `node --expose-gc` over templates of 100 to
 * 4,096 characters: 150 to 250 bytes per node; 256 errs on the safe side.
 */
export const BYTES_PER_NODE = 256;

/** Per entry: the Map slot, the CompiledTemplate object and its closure. */
const ENTRY_BYTES = 200;

/** The estimate a cache entry is charged: the source (UTF-16, as the key and in the template) and the compiled program. */
export function templateBytes(template: CompiledTemplate): number {
  return ENTRY_BYTES + 2 * template.source.length + BYTES_PER_NODE * template.nodes;
}

export interface TemplateCacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly maxBytes: number;
}

export class TemplateCache {
  private readonly compiled = new Map<string, { template: CompiledTemplate; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_TEMPLATE_CACHE_BYTES) {}

  /** The compiled template; throws `InputError` naming `label` when it does not compile. */
  get(source: string, label: string): CompiledTemplate {
    const hit = this.compiled.get(source);
    if (hit) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.compiled.delete(source);
      this.compiled.set(source, hit);
      return hit.template;
    }
    const template = compileTemplate(source, label);
    const bytes = templateBytes(template);
    if (bytes > this.maxBytes) return template;
    for (const [key, entry] of this.compiled) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.compiled.delete(key);
      this.bytes -= entry.bytes;
    }
    this.compiled.set(source, { template, bytes });
    this.bytes += bytes;
    return template;
  }

  stats(): TemplateCacheStats {
    return { entries: this.compiled.size, bytes: this.bytes, maxBytes: this.maxBytes };
  }
}
