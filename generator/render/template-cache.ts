/** @module Compiled templates by source text: the controller sends the same templates on every reconcile. */
import { compileTemplate, type CompiledTemplate } from './environment.js';

export class TemplateCache {
  private readonly compiled = new Map<string, CompiledTemplate>();

  constructor(private readonly maxEntries = 2000) {}

  /** The compiled template; throws `InputError` naming `label` when it does not compile. */
  get(source: string, label: string): CompiledTemplate {
    const hit = this.compiled.get(source);
    if (hit) return hit;
    const template = compileTemplate(source, label);
    if (this.compiled.size >= this.maxEntries) {
      const oldest = this.compiled.keys().next().value;
      if (oldest !== undefined) this.compiled.delete(oldest);
    }
    this.compiled.set(source, template);
    return template;
  }
}
