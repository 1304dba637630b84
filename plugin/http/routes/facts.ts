/**
 * @module `GET /api/v1/facts`: the facts of the blue/green pair of one Application's destination
 * cluster, for the UI extension. Reached only through Argo CD's proxy extension, which has
 * already checked the user's session and RBAC (`applications, get` on the app and `extensions,
 * invoke, greenlight`). greenlight trusts a request only if it carries the shared secret that the
 * proxy configuration adds, and answers only for the cluster of the Application named in the
 * proxy's validated headers: the destination headers Argo CD sets from that Application.
 */
import { Router, type Request } from 'express';
import {
  diffFacts,
  FACTS_PATH,
  PROXY_SECRET_HEADER,
  GreenlightError,
  InputError,
  MethodNotAllowedError,
  NotFoundError,
  pickBaseline,
  resolveBlueGreen,
  roleRank,
  TimeoutError,
  AuthenticationError,
  NotAllowedError,
  BLUE_GREEN_KEYS,
  clusterLeavingError,
  mayHaveEksTag,
  type LeavingCluster,
  type ClusterFactsProvider,
  type ClusterInventory,
  type ClusterRecord,
  type ErrorBody,
  type FactsComparison,
  type FactsResponse,
  type FactsResult,
  type PairMember,
  type ServedDrift,
  type ServedGate,
  type SignalResult,
  type ServedReadiness,
  familyApplications,
  namespacesOf,
  servedDrift,
  servedReadiness,
} from '../../../generator/index.js';
import { withoutUserinfo } from '../../adapters/upstream-text.js';
import type { DriftAuditReader } from '../../pairs/drift-audits.js';
import type { FleetEvaluation, PairEvaluator } from '../../pairs/evaluation.js';
import type { GateEvaluator } from '../../pairs/gate-evaluation.js';
import type { TokenSource } from '../../auth/token-source.js';
import { describeSecretReference, tokensEqual } from '../middleware/bearer-auth.js';
import { requestDeadline } from '../middleware/deadline.js';

export { FACTS_PATH, PROXY_SECRET_HEADER };

/** The `extension.config` snippet operators need, quoted in error messages. */
const PROXY_CONFIG_HINT = `in argocd-cm extension.config, give the greenlight backend service "headers: [{name: ${PROXY_SECRET_HEADER}, value: '$greenlight.proxy.secret'}]" and put greenlight's proxy secret under that key in argocd-secret`;

export interface FactsRouteDeps {
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  /** The shared secret of the proxy extension; `undefined` turns the endpoint off. */
  readonly proxySecret: TokenSource | undefined;
  readonly requestDeadlineMs: number;
  /**
   * The fleet's pair evaluation (the one the readiness gauges report), for the pair's verdict in
   * the answer; without it, the answer says readiness is not served here.
   */
  readonly verdicts?: Pick<PairEvaluator, 'evaluation'> | undefined;
  /** The service's drift audits; without them, the answer says drift is not audited here. */
  readonly drifts?: DriftAuditReader | undefined;
  /** The service's traffic gates; without them, the answer says the gate is not evaluated here. */
  readonly gates?: Pick<GateEvaluator, 'gates' | 'familyHealth'> | undefined;
}

// Argo CD's own checks (util/argo IsValidNamespaceName, IsValidAppName, IsValidProjectName).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function checkProxySecret(req: Request, secret: TokenSource | undefined): void {
  if (secret === undefined) {
    throw new NotFoundError(
      'GL_ROUTE_NOT_FOUND',
      `GET ${FACTS_PATH} is turned off: greenlight has no proxy-extension secret. Set GREENLIGHT_PROXY_SECRET_FILE on greenlight, and ${PROXY_CONFIG_HINT}`,
    );
  }
  const presented = req.get(PROXY_SECRET_HEADER)?.trim() ?? '';
  if (presented === '') {
    throw new AuthenticationError(
      'GL_AUTH_MISSING',
      `the request carries no ${PROXY_SECRET_HEADER} header: ${FACTS_PATH} answers only through Argo CD's proxy extension; ${PROXY_CONFIG_HINT}`,
    );
  }
  if (tokensEqual(presented, secret.current())) return;
  // Argo CD sends the "$key" reference itself when argocd-secret lacks the key.
  if (/^\$[A-Za-z0-9._:-]{1,253}$/.test(presented)) {
    const { secret: name, key } = describeSecretReference(presented);
    throw new NotAllowedError(
      'GL_AUTH_UNRESOLVED_SECRET',
      `Argo CD sent the reference "${presented}" instead of the proxy secret: key "${key}" is missing from Secret "${name}" in the Argo CD namespace; add it with greenlight's proxy secret`,
    );
  }
  throw new NotAllowedError('GL_AUTH_INVALID', `the ${PROXY_SECRET_HEADER} header does not hold greenlight's proxy secret (GREENLIGHT_PROXY_SECRET_FILE); make both the same`);
}

interface ProxiedApp {
  readonly namespace: string;
  readonly name: string;
  readonly project: string;
}

function proxiedApplication(req: Request): ProxiedApp {
  const app = req.get('Argocd-Application-Name');
  const project = req.get('Argocd-Project-Name');
  const problems: string[] = [];
  let namespace = '';
  let name = '';
  if (app === undefined || app === '') problems.push('header Argocd-Application-Name is missing');
  else {
    const parts = app.split(':');
    if (parts.length !== 2) problems.push('header Argocd-Application-Name must be "<namespace>:<application name>"');
    else {
      [namespace = '', name = ''] = parts;
      if (!DNS_LABEL.test(namespace)) problems.push(`"${namespace.slice(0, 70)}" in Argocd-Application-Name is not a valid namespace`);
      if (!DNS_SUBDOMAIN.test(name)) problems.push(`"${name.slice(0, 260)}" in Argocd-Application-Name is not a valid application name`);
    }
  }
  if (project === undefined || project === '') problems.push('header Argocd-Project-Name is missing');
  else if (!DNS_SUBDOMAIN.test(project)) problems.push(`"${project.slice(0, 260)}" in Argocd-Project-Name is not a valid project name`);
  if (problems.length > 0) {
    throw new InputError('GL_REQUEST_INVALID', `${problems.join('; ')}. Argo CD's proxy extension validates and forwards these headers; call ${FACTS_PATH} through it`);
  }
  return { namespace, name, project: project ?? '' };
}

const trimServer = (server: string) => server.replace(/\/+$/, '');

/**
 * The Application's destination cluster, from the headers Argo CD's proxy sets from the
 * Application itself. Argo CD sets each only when that destination field is non-empty and leaves
 * a client's own value in place otherwise, so every header present must name the same cluster.
 */
function destinationCluster(req: Request, clusters: readonly ClusterRecord[], app: ProxiedApp, leaving: readonly LeavingCluster[]): ClusterRecord {
  const url = req.get('Argocd-Target-Cluster-URL')?.trim() || undefined;
  const name = req.get('Argocd-Target-Cluster-Name')?.trim() || undefined;
  const appName = `${app.namespace}:${app.name}`;
  if (url === undefined && name === undefined) {
    throw new InputError(
      'GL_REQUEST_INVALID',
      `the request names no destination cluster (Argocd-Target-Cluster-URL or Argocd-Target-Cluster-Name): Argo CD's proxy extension (v2.8 or later) adds them from Application ${appName}`,
    );
  }
  const byUrl = url === undefined ? undefined : clusters.find((c) => trimServer(c.server) === trimServer(url));
  const byName = name === undefined ? undefined : clusters.find((c) => c.name === name);
  // The URL comes from the Application's destination: shown without any userinfo it may carry.
  const missing = url !== undefined && !byUrl ? withoutUserinfo(url) : name !== undefined && !byName ? name : undefined;
  // A destination that just left the inventory may be coming back (a Secret re-created): 503, not 404.
  const gone = leaving.find((c) => (url !== undefined && c.server !== undefined && trimServer(c.server) === trimServer(url)) || c.name === name);
  if (missing !== undefined && gone) throw clusterLeavingError([gone], `the destination of Application ${appName}`);
  if (missing !== undefined) {
    throw new NotFoundError(
      'GL_CLUSTER_NOT_FOUND',
      `Application ${appName} deploys to cluster "${missing}", which is not in greenlight's inventory (${clusters.length} clusters); register it in Argo CD (or the fleet file) to see its facts`,
    );
  }
  if (byUrl && byName && byUrl !== byName) {
    throw new InputError(
      'GL_REQUEST_INVALID',
      `Argocd-Target-Cluster-URL names cluster "${byUrl.name}" but Argocd-Target-Cluster-Name names "${byName.name}"; refusing to guess which is Application ${appName}'s destination`,
    );
  }
  return (byUrl ?? byName) as ClusterRecord;
}

function toErrorBody(err: unknown, cluster: ClusterRecord): ErrorBody {
  if (err instanceof GreenlightError) return { message: err.message, code: err.code };
  return { message: `facts of cluster "${cluster.name}" could not be read: ${err instanceof Error ? err.message : String(err)}`, code: 'GL_FACTS_UNAVAILABLE' };
}

/** Facts of a cluster, or the error that stopped them, within the request's deadline. */
function settle(provider: ClusterFactsProvider, cluster: ClusterRecord, signal: AbortSignal): Promise<{ result?: FactsResult; error?: ErrorBody }> {
  const deadline = new Promise<never>((_resolve, reject) => {
    const fail = () => reject(new TimeoutError('GL_DEADLINE_EXCEEDED', `facts of cluster "${cluster.name}" were not ready within the request deadline`));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  return Promise.race([provider.factsFor(cluster, signal), deadline]).then(
    (result) => ({ result }),
    (err: unknown) => ({ error: toErrorBody(err, cluster) }),
  );
}

function pairOf(cluster: ClusterRecord, result: FactsResult | undefined): string | undefined {
  const own = cluster.labels[BLUE_GREEN_KEYS.pair];
  if (own !== undefined && own !== '') return own;
  const tag = result?.facts.eks?.tags[BLUE_GREEN_KEYS.pair];
  return tag !== undefined && tag !== '' ? tag : undefined;
}

function member(cluster: ClusterRecord, settled: { result?: FactsResult; error?: ErrorBody }): PairMember {
  let blueGreen: { pair?: string; role?: string; weight?: string } = {};
  let error = settled.error ?? null;
  try {
    blueGreen = resolveBlueGreen(cluster, settled.result?.facts);
  } catch (err) {
    error ??= toErrorBody(err, cluster);
  }
  return {
    name: cluster.name,
    server: cluster.server,
    pair: blueGreen.pair ?? null,
    role: blueGreen.role ?? null,
    weight: blueGreen.weight ?? null,
    facts: settled.result?.facts ?? null,
    origins: settled.result ? [...settled.result.origins] : [],
    error,
  };
}

/**
 * The pair's verdict from the service's one evaluation, reduced for the viewer of `app`. The
 * evaluation is shared (a minute old at most) and waits a few seconds at most for a fresh one.
 */
function pairReadiness(evaluation: FleetEvaluation | undefined, served: boolean, pair: string, app: ProxiedApp): ServedReadiness {
  const command = `run "greenlight readiness --pair ${pair}" for the verdict`;
  if (!served) return { state: 'unavailable', reason: `this greenlight service does not evaluate readiness; ${command}` };
  const judged = evaluation?.pairs.get(pair);
  if (!evaluation || !judged) {
    return { state: 'unavailable', reason: `greenlight has not evaluated pair ${pair} yet (it evaluates every pair at most once a minute); reload shortly, or ${command}` };
  }
  if (!judged.verdict) {
    return { state: 'unavailable', reason: `greenlight could not judge pair ${pair}: ${judged.problem ?? judged.error ?? 'unknown reason'}` };
  }
  const concerning = familyApplications(evaluation.applications ?? [], app.namespace, app.name);
  return servedReadiness(judged.verdict, concerning, new Date(evaluation.at).toISOString());
}

/** The pair's latest drift audit, reduced for the viewer of `app` (never waited for: a scan is long). */
async function pairDrift(drifts: DriftAuditReader | undefined, evaluation: FleetEvaluation | undefined, pair: string, app: ProxiedApp): Promise<ServedDrift> {
  const command = `run "greenlight drift --pair ${pair}" for the audit`;
  if (!drifts) return { state: 'unavailable', reason: `this greenlight service does not audit drift: it needs each cluster's own API (GREENLIGHT_INVENTORY=argocd) and GREENLIGHT_DRIFT_AUDITS=on; ${command}` };
  const latest = (await drifts.latest())?.pairs.get(pair);
  if (!latest) return { state: 'unavailable', reason: `greenlight's first drift audit of pair ${pair} is under way (it scans both clusters under a rate budget); reload in a minute, or ${command}` };
  if ('error' in latest) return { state: 'unavailable', reason: `greenlight could not audit the drift of pair ${pair}: ${latest.error}` };
  const applications = evaluation?.applications ?? [];
  return servedDrift(latest.report, familyApplications(applications, app.namespace, app.name), applications, new Date(latest.at).toISOString());
}

/** Most namespaces of one family whose live health is shown. */
const MAX_FAMILY_NAMESPACES = 3;

/** The pair's traffic gate, with the live health of the viewer's family's namespaces. */
async function pairGate(deps: FactsRouteDeps, evaluation: FleetEvaluation | undefined, pair: string, app: ProxiedApp, signal: AbortSignal): Promise<ServedGate> {
  const command = `run "greenlight gate --pair ${pair}"`;
  if (!deps.gates) return { state: 'unavailable', reason: `this greenlight service does not evaluate the traffic gate; ${command}` };
  const gates = await deps.gates.gates();
  const gate = gates?.pairs.get(pair);
  if (!gates || !gate) return { state: 'unavailable', reason: `greenlight has not evaluated the gate of pair ${pair} yet (at most once a minute); reload shortly, or ${command}` };
  if ('error' in gate) return { state: 'unavailable', reason: `greenlight could not evaluate the gate of pair ${pair}: ${gate.error}` };
  const family = familyApplications(evaluation?.applications ?? [], app.namespace, app.name);
  const namespaces = [...namespacesOf(family)].sort().slice(0, MAX_FAMILY_NAMESPACES);
  const gateReader = deps.gates;
  // Within the request's deadline: a family whose health is not read by then is left out.
  const givenUp = new Promise<SignalResult[]>((resolve) => {
    if (signal.aborted) resolve([]);
    else signal.addEventListener('abort', () => resolve([]), { once: true });
  });
  const health = await Promise.all(
    namespaces.map(async (namespace) => {
      try {
        return { namespace, health: await Promise.race([gateReader.familyHealth(gate.answer, namespace), givenUp]) };
      } catch {
        return { namespace, health: [] };
      }
    }),
  );
  return { state: 'evaluated', at: new Date(gates.at).toISOString(), answer: gate.answer, family: health.filter((h) => h.health.length > 0) };
}

export function factsRouter(deps: FactsRouteDeps): Router {
  const router = Router();
  router.get(FACTS_PATH, async (req, res) => {
    checkProxySecret(req, deps.proxySecret);
    const app = proxiedApplication(req);
    const snapshot = deps.inventory.snapshot();
    const clusters = snapshot.clusters;
    const target = destinationCluster(req, clusters, app, snapshot.leaving ?? []);

    const deadline = requestDeadline(res, deps.requestDeadlineMs);
    try {
      // Clusters whose labels name no pair may still carry it as an EKS tag: their facts decide.
      // (EKS tags exist only for clusters registered through EKS.)
      const candidatesOf = (p: string) =>
        clusters.filter((c) => c !== target && (c.labels[BLUE_GREEN_KEYS.pair] === p || mayHaveEksTag(c, BLUE_GREEN_KEYS.pair)));
      const labelled = target.labels[BLUE_GREEN_KEYS.pair] || undefined;
      // With the pair on the target's label (the usual case), every read starts at once.
      const early = labelled === undefined ? undefined : candidatesOf(labelled).map((c) => settle(deps.facts, c, deadline.signal));
      const own = await settle(deps.facts, target, deadline.signal);
      const pair = pairOf(target, own.result);
      const members: PairMember[] = [member(target, own)];
      if (pair !== undefined) {
        const others = candidatesOf(pair);
        const settled = await Promise.all(early ?? others.map((c) => settle(deps.facts, c, deadline.signal)));
        others.forEach((c, i) => {
          const s = settled[i] ?? {};
          const labelled = c.labels[BLUE_GREEN_KEYS.pair] === pair;
          if (labelled || pairOf(c, s.result) === pair) members.push(member(c, s));
        });
      }
      members.sort((a, b) => roleRank(a.role) - roleRank(b.role) || a.name.localeCompare(b.name));

      const known = members.filter((m) => m.facts !== null);
      const baseline = pickBaseline(known);
      const comparisons: FactsComparison[] = baseline
        ? known
            .filter((m) => m !== baseline)
            .map((m) => ({
              baseline: baseline.name,
              candidate: m.name,
              differences: diffFacts({ name: baseline.name, facts: baseline.facts ?? {} }, { name: m.name, facts: m.facts ?? {} }),
            }))
        : [];
      let readiness: ServedReadiness | null = null;
      let drift: ServedDrift | null = null;
      let gate: ServedGate | null = null;
      if (pair !== undefined) {
        const evaluation = await deps.verdicts?.evaluation();
        readiness = pairReadiness(evaluation, deps.verdicts !== undefined, pair, app);
        [drift, gate] = await Promise.all([pairDrift(deps.drifts, evaluation, pair, app), pairGate(deps, evaluation, pair, app, deadline.signal)]);
      }
      const body: FactsResponse = { application: app, cluster: target.name, pair: pair ?? null, members, comparisons, readiness, drift, gate };
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json(body);
    } finally {
      deadline.done();
    }
  });
  router.all(FACTS_PATH, () => {
    throw new MethodNotAllowedError(['GET'], `${FACTS_PATH} takes GET only (the UI extension calls it through Argo CD's proxy extension)`);
  });
  return router;
}
