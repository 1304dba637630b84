/**
 * @module The error a template raises while it renders for one cluster. Its message names the
 * expression as written and what to write instead; the use case adds the var and the cluster.
 */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}
