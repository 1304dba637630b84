/** @module The pure core: cluster selection, parameter sets, templates. No I/O, no Node, no SDKs. */
export * from './contract/index.js';
export * from './errors.js';
export * from './model.js';
export * from './ports.js';
export * from './names.js';
export * from './label-selector.js';
export * from './blue-green.js';
export * from './leaving.js';
export * from './build-parameter-set.js';
export * from './generate-parameters.js';
export { compileTemplate, translateBrackets, type CompiledTemplate, MAX_RENDERED_LENGTH } from './render/environment.js';
export { HELPERS } from './render/helpers.js';
export { TemplateCache, DEFAULT_TEMPLATE_CACHE_BYTES, BYTES_PER_NODE, type TemplateCacheStats } from './render/template-cache.js';
export { RenderBudget, RenderBudgetExceeded, renderLimits, DEFAULT_RENDER_BUDGET_MS, STEPS_PER_MS, MAX_REQUEST_OUTPUT, type RenderLimits } from './render/budget.js';
export { TemplateError } from './render/template-error.js';
export * from './parity.js';
export * from './readiness/index.js';
export * from './drift/index.js';
