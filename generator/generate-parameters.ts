/**
 * @module The use case behind `getparams.execute`: input → the parameter sets of every selected
 * cluster, or an error. All or nothing: a cluster that is selected but cannot be answered for
 * fails the whole request, because a shorter list makes Argo CD delete Applications.
 */
import { inputParametersSchema, type InputParameters } from './contract/input-parameters.js';
import type { ParameterSet } from './contract/plugin-response.js';
import { mayHaveEksTag, pairAndRole, resolveBlueGreen } from './blue-green.js';
import { buildParameterSet } from './build-parameter-set.js';
import {
  describeIssues,
  GreenlightError,
  InputError,
  NotFoundError,
  TimeoutError,
  UpstreamError,
} from './errors.js';
import { describeSelector, matchesSelector } from './label-selector.js';
import { clusterLeavingError, leavingInSelection } from './leaving.js';
import { BLUE_GREEN_KEYS, type CancelSignal, type ClusterRecord, type FactsResult, type InventoryProblem } from './model.js';
import type { ClusterFactsProvider, ClusterInventory } from './ports.js';
import { RenderBudget, RenderBudgetExceeded, renderLimits, type RenderLimits } from './render/budget.js';
import type { CompiledTemplate } from './render/environment.js';
import type { TemplateCache } from './render/template-cache.js';
import { TemplateError } from './render/template-error.js';

export interface GenerateDeps {
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  readonly templates: TemplateCache;
  /** The render budget of one request (default `renderLimits()`), and the clock that times it (none: steps and output only). */
  readonly render?: { readonly limits?: RenderLimits; readonly now?: () => number };
}

export interface GenerateRequest {
  readonly applicationSetName: string;
  /** `input.parameters` exactly as received (possibly absent). */
  readonly parameters: unknown;
}

const asList = (v: string | readonly string[] | undefined): readonly string[] | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? [v] : v;

export function parseInputParameters(raw: unknown): InputParameters {
  const parsed = inputParametersSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new InputError(
      'GL_INPUT_INVALID',
      `invalid plugin input: ${describeIssues(parsed.error.issues, 'input.parameters')}. The accepted parameters are documented in greenlight's README (schema/input-parameters.schema.json).`,
    );
  }
  return parsed.data;
}

/** Describes the selection for messages: `pair=prod-eu, role=green`. */
function describeSelection(input: InputParameters): string {
  const parts: string[] = [];
  if (input.cluster !== undefined) parts.push(`cluster=${input.cluster}`);
  if (input.clusters) parts.push(`clusters=${input.clusters.join(',')}`);
  if (input.selector) parts.push(`selector "${describeSelector(input.selector)}"`);
  if (input.pair !== undefined) parts.push(`pair=${asList(input.pair)?.join('|')}`);
  if (input.role !== undefined) parts.push(`role=${asList(input.role)?.join('|')}`);
  return parts.length > 0 ? parts.join(', ') : 'all clusters';
}

function listSome(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => `"${n}"`).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown || 'none';
}

/** How long a provider may take, after the deadline, to say itself what it was waiting for. */
const ABORT_GRACE_MS = 25;

/**
 * Rejects with `TimeoutError` naming the cluster if the signal aborts and the provider has not
 * settled shortly after. A provider that honours the signal rejects first with a more precise
 * message (which source was pending); one that does not cannot hold the answer past the deadline.
 */
function withDeadline<T>(work: Promise<T>, signal: CancelSignal, cluster: ClusterRecord): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let grace: unknown;
    const onAbort = () => {
      grace = setTimeout(
        () => reject(new TimeoutError('GL_DEADLINE_EXCEEDED', `facts of cluster "${cluster.name}" were not ready within the request deadline`)),
        ABORT_GRACE_MS,
      );
    };
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      if (grace !== undefined) clearTimeout(grace);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (err: unknown) => {
        done();
        reject(err);
      },
    );
  });
}

async function fetchFacts(
  clusters: readonly ClusterRecord[],
  provider: ClusterFactsProvider,
  signal: CancelSignal,
): Promise<Map<string, FactsResult>> {
  const settled = await Promise.allSettled(clusters.map((c) => withDeadline(provider.factsFor(c, signal), signal, c)));
  const failures: GreenlightError[] = [];
  const facts = new Map<string, FactsResult>();
  settled.forEach((result, i) => {
    const cluster = clusters[i] as ClusterRecord;
    if (result.status === 'fulfilled') facts.set(cluster.name, result.value);
    else if (result.reason instanceof GreenlightError) failures.push(result.reason);
    else {
      const detail = result.reason instanceof Error ? result.reason.message : String(result.reason);
      failures.push(new UpstreamError('GL_FACTS_UNAVAILABLE', `facts of cluster "${cluster.name}" could not be read: ${detail}`, { cause: result.reason }));
    }
  });
  if (failures.length === 1) throw failures[0] as GreenlightError;
  if (failures.length > 1) {
    const message = `facts of ${failures.length} selected clusters could not be read: ${failures.map((f) => f.message).join('; ')}`;
    const timeout = failures.find((f) => f instanceof TimeoutError);
    if (timeout) throw new TimeoutError('GL_DEADLINE_EXCEEDED', message, { cause: failures });
    throw new UpstreamError((failures[0] as GreenlightError).code, message, { cause: failures });
  }
  return facts;
}

function problemMayBeSelected(problem: InventoryProblem, input: InputParameters, names: readonly string[] | undefined): boolean {
  if (names) return problem.name !== undefined && names.includes(problem.name);
  if (input.selector && !matchesSelector(problem.labels, input.selector)) return false;
  const pair = asList(input.pair);
  const role = asList(input.role);
  const pairLabel = problem.labels[BLUE_GREEN_KEYS.pair];
  const roleLabel = problem.labels[BLUE_GREEN_KEYS.role];
  if (pair && pairLabel !== undefined && !pair.includes(pairLabel)) return false;
  if (role && roleLabel !== undefined && !role.includes(roleLabel)) return false;
  return true;
}

/** Compiles (or finds in the cache) every var; a request's new templates are compiled within its time budget. */
function compileVars(input: InputParameters, templates: TemplateCache, budget: RenderBudget): [string, CompiledTemplate][] {
  return Object.entries(input.vars ?? {}).map(([key, source]) => {
    const template = templates.get(source, `input.parameters.vars.${key}`);
    try {
      budget.checkTime();
    } catch (err) {
      if (err instanceof RenderBudgetExceeded) throw overBudget(err, `input.parameters.vars.${key}`, 'compiling');
      throw err;
    }
    return [key, template];
  });
}

function echoGroup(input: InputParameters): Record<string, string> | undefined {
  const group: Record<string, string> = {};
  if (input.cluster !== undefined) group['cluster'] = input.cluster;
  if (input.pair !== undefined) group['pair'] = asList(input.pair)?.join(',') ?? '';
  if (input.role !== undefined) group['role'] = asList(input.role)?.join(',') ?? '';
  for (const [key, value] of Object.entries(input.echo ?? {})) {
    if (Object.hasOwn(group, key)) {
      throw new InputError('GL_INPUT_INVALID', `input.parameters.echo.${key} clashes with the input parameter "${key}", which is echoed already; rename it`);
    }
    group[key] = String(value);
  }
  return Object.keys(group).length > 0 ? group : undefined;
}

/**
 * Answers one `getparams.execute` call: the parameter sets of every selected cluster, sorted by
 * cluster name. Throws a `GreenlightError` (never returns a partial list).
 */
export async function generateParameters(
  request: GenerateRequest,
  deps: GenerateDeps,
  signal: CancelSignal,
): Promise<ParameterSet[]> {
  const input = parseInputParameters(request.parameters);
  // One budget for compiling and rendering every var of every cluster of this request.
  const budget = new RenderBudget(deps.render?.limits ?? renderLimits(), deps.render?.now);
  const vars = compileVars(input, deps.templates, budget);
  budget.pause();
  const echoed = echoGroup(input);
  const snapshot = deps.inventory.snapshot();

  const names = input.cluster !== undefined ? [input.cluster] : input.clusters;
  const problems = snapshot.problems.filter((p) => problemMayBeSelected(p, input, names));
  if (problems.length > 0) {
    throw new UpstreamError(
      'GL_CLUSTER_INVALID',
      `${problems.map((p) => `${p.origin}${p.name !== undefined ? ` (cluster "${p.name}")` : ''} cannot be read: ${p.reason}`).join('; ')}. ` +
        `It may be one of the clusters selected by ${describeSelection(input)}, so greenlight answers nothing rather than a list without it: fix the Secret.`,
    );
  }
  // A cluster that just left may come back (a Secret re-created): until its removal grace ends,
  // a selection that may include it gets no answer rather than one without it.
  const leaving = leavingInSelection(snapshot.leaving, input);
  if (leaving.length > 0) throw clusterLeavingError(leaving, describeSelection(input));

  let candidates: readonly ClusterRecord[] = snapshot.clusters;
  if (names) {
    const byName = new Map(snapshot.clusters.map((c) => [c.name, c]));
    const missing = names.filter((n) => !byName.has(n));
    if (missing.length > 0) {
      throw new NotFoundError(
        'GL_CLUSTER_NOT_FOUND',
        `no cluster named ${listSome(missing)} is registered in Argo CD (known: ${listSome([...byName.keys()].sort())}); register it or fix the name in the ApplicationSet "${request.applicationSetName}"`,
      );
    }
    candidates = [...new Set(names)].map((n) => byName.get(n) as ClusterRecord);
  }
  if (input.selector) {
    const selector = input.selector;
    candidates = candidates.filter((c) => matchesSelector(c.labels, selector));
  }

  const pairs = asList(input.pair);
  const roles = asList(input.role);
  const byBlueGreen = pairs !== undefined || roles !== undefined;
  // Facts are needed to decide only where a key the selection uses may come from EKS tags.
  const labelsOnly = (c: ClusterRecord) =>
    !byBlueGreen || ((pairs === undefined || !mayHaveEksTag(c, BLUE_GREEN_KEYS.pair)) && (roles === undefined || !mayHaveEksTag(c, BLUE_GREEN_KEYS.role)));
  const matchesBlueGreen = (c: ClusterRecord, facts?: FactsResult) => {
    const bg = pairAndRole(c, facts?.facts);
    return (pairs === undefined || (bg.pair !== undefined && pairs.includes(bg.pair))) &&
      (roles === undefined || (bg.role !== undefined && roles.includes(bg.role)));
  };
  // Clusters whose labels already rule them out need no facts; the rest (selected, or
  // undecided until their EKS tags are read) do.
  const toFetch = candidates.filter((c) => !labelsOnly(c) || matchesBlueGreen(c));
  const facts = await fetchFacts(toFetch, deps.facts, signal);
  const selected = toFetch
    .filter((c) => matchesBlueGreen(c, facts.get(c.name)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  if (selected.length === 0 && input.allowEmpty !== true) {
    throw new NotFoundError(
      'GL_SELECTION_EMPTY',
      `no cluster matches ${describeSelection(input)} (${snapshot.clusters.length} clusters registered: ${listSome(snapshot.clusters.map((c) => c.name).sort())}). ` +
        `An empty answer would delete every Application of ApplicationSet "${request.applicationSetName}", so greenlight refuses it; check the selection, or set allowEmpty: true if an empty list is really meant.`,
    );
  }

  const gitopsBridge = asList(input.compat)?.includes('gitops-bridge') ?? false;
  const sets = selected.map((cluster) => {
    const result = facts.get(cluster.name) as FactsResult;
    const set = buildParameterSet(cluster, resolveBlueGreen(cluster, result.facts), result, { gitopsBridge });
    if (echoed) set.input = { ...echoed };
    return set;
  });
  if (vars.length > 0) renderVars(vars, selected, sets, budget);
  return sets;
}

/** Renders every var for every cluster within the request's budget; throws on the first budget overrun, or with the template errors. */
function renderVars(vars: readonly [string, CompiledTemplate][], selected: readonly ClusterRecord[], sets: ParameterSet[], budget: RenderBudget): void {
  const failures: string[] = [];
  let failed = 0;
  budget.resume();
  for (const [i, set] of sets.entries()) {
    const cluster = selected[i] as ClusterRecord;
    const rendered: Record<string, string> = {};
    for (const [key, template] of vars) {
      try {
        rendered[key] = template.render(set, budget);
      } catch (err) {
        if (err instanceof RenderBudgetExceeded) {
          throw overBudget(err, `input.parameters.vars.${key} for cluster "${cluster.name}" (cluster ${i + 1} of ${selected.length})`, 'rendering');
        }
        // Anything else is a bug: it becomes a 500 that does not quote an internal message.
        if (!(err instanceof TemplateError)) throw err;
        failed += 1;
        if (failures.length < 5) failures.push(`input.parameters.vars.${key} for cluster "${cluster.name}": ${err.message}`);
      }
    }
    set.vars = rendered;
  }
  budget.pause();
  if (failed > 0) {
    const more = failed > failures.length ? `; and ${failed - failures.length} more` : '';
    throw new InputError('GL_TEMPLATE_FAILED', `template failed: ${failures.join('; ')}${more}`);
  }
}

/** GL_TEMPLATE_BUDGET_EXCEEDED: which var (and cluster) ran out of the request's budget, and what to do. */
function overBudget(err: RenderBudgetExceeded, where: string, phase: 'compiling' | 'rendering'): InputError {
  const { maxSteps, maxOutput, maxMs } = err.limits;
  const advice =
    phase === 'compiling'
      ? 'Send fewer or smaller templates in one request (templates already compiled are kept, so a retry goes further)'
      : err.kind === 'output'
        ? 'Render less per cluster, or select fewer clusters per ApplicationSet'
        : 'Loops inside loops multiply the work (#each inside #each, above all over @root): loop over a smaller map, or select fewer clusters per ApplicationSet';
  const message = phase === 'compiling' ? `compiling this request's new templates took more than ${maxMs} ms` : err.message;
  return new InputError(
    'GL_TEMPLATE_BUDGET_EXCEEDED',
    `${where}: ${message}, over the render budget of one request (${maxSteps} steps, ${maxOutput} characters of output and ${maxMs} ms of CPU, ` +
      `shared by every var of every selected cluster). ${advice}; an operator can raise GREENLIGHT_RENDER_BUDGET_MS.`,
    { cause: err },
  );
}
