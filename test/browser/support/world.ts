/**
 * A local world for the browser tests: greenlight's facts route on the demo fleet, served over
 * HTTP on 127.0.0.1 (the real router, inventory and error handling), behind a fake Argo CD that
 * behaves like argocd-server 3.5 (React 19) or 3.4 (React 16.14) and hosts the built UI bundle.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { NotFoundError, type ArgoApplication, type ArgoApplicationSet, type ArgoCluster } from '../../../generator/index.js';
import { FleetFileInventory } from '../../../plugin/adapters/fleet-file/fleet-file-inventory.js';
import { StaticTokenSource } from '../../../plugin/auth/token-source.js';
import { errorHandler } from '../../../plugin/http/error-handler.js';
import { requestContext } from '../../../plugin/http/middleware/request-context.js';
import { demoApplications } from '../../../plugin/adapters/demo/demo-applications.js';
import { factsRouter, PROXY_SECRET_HEADER } from '../../../plugin/http/routes/facts.js';
import { demoPairServices } from '../../support/demo-pair-services.js';
import { applicationResourceObjectSchema } from '../../../plugin/adapters/argocd/application-source.js';
import { createLogger } from '../../../plugin/logger.js';
import { Metrics } from '../../../plugin/metrics.js';
import { DEMO_FLEET_PATH } from '../../../plugin/paths.js';
import { SESSION_COOKIE, startFakeArgoCd, type ArgoCdLine, type FakeArgoCd } from '../../support/fake-argocd.js';
import type { Browser } from './browser.js';
import { REPO_ROOT } from '../../support/service-process.js';

export const PROXY_SECRET = 'browser-test-proxy-secret-0001';
const DIST = join(REPO_ROOT, 'ui-extension', 'dist');
export const BUNDLE = join(DIST, 'extension-greenlight.js');

export interface Greenlight {
  readonly url: string;
  readonly inventory: FleetFileInventory;
  close(): Promise<void>;
}

/**
 * greenlight's facts route on the demo fleet, as the service mounts it, with the service's pair
 * evaluation over the Applications that `applications` gives (the ones the fake Argo CD lists).
 */
export async function startGreenlight(applications: () => readonly ArgoApplication[] = () => []): Promise<Greenlight> {
  const logger = createLogger('silent');
  const inventory = new FleetFileInventory(DEMO_FLEET_PATH, logger, 'the demo fleet').load();
  // The service's pair evaluation, drift audits and gates over the demo's built-in cluster objects and traffic.
  const { verdicts, drifts, gates } = demoPairServices(inventory, async () => applications().map((a) => applicationResourceObjectSchema.parse(a)));
  // As the service does at start: the first drift audit (the demo's is immediate) before any verdict.
  await drifts.refresh();
  const app = express();
  app.use(requestContext({ logger, metrics: new Metrics({ defaultMetrics: false }) }));
  app.use(factsRouter({ inventory, facts: inventory, verdicts, drifts, gates, proxySecret: new StaticTokenSource(PROXY_SECRET), requestDeadlineMs: 5000 }));
  app.use((req) => {
    throw new NotFoundError('GL_ROUTE_NOT_FOUND', `no endpoint ${req.method} ${req.path}`);
  });
  app.use(errorHandler({ logger, maxBodyBytes: 4096 }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    inventory,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The host script: the built React 19 demo host, or a React 16 one built for the tests. */
export async function hostScript(react: 16 | 19): Promise<string> {
  if (!existsSync(BUNDLE) || !existsSync(join(DIST, 'demo-host.js'))) {
    throw new Error(`${BUNDLE} or demo-host.js is missing: build the UI first (npm run build:ui, i.e. node ui-extension/build.mjs)`);
  }
  if (react === 19) return join(DIST, 'demo-host.js');
  const outfile = join(REPO_ROOT, 'test-artifacts', 'hosts', 'demo-host-react16.js');
  mkdirSync(join(REPO_ROOT, 'test-artifacts', 'hosts'), { recursive: true });
  const buildModule = pathToFileURL(join(REPO_ROOT, 'ui-extension', 'build.mjs')).href;
  const { buildDemoHost } = (await import(buildModule)) as { buildDemoHost(o: { react: 16 | 19; outfile: string }): Promise<{ outfile: string }> };
  await buildDemoHost({ react: 16, outfile });
  return outfile;
}

export interface World {
  readonly argocd: FakeArgoCd;
  readonly greenlight: Greenlight;
  readonly applications: readonly ArgoApplication[];
  close(): Promise<void>;
}

export interface WorldOptions {
  /** React 19 is Argo CD 3.5's host, React 16.14 is 3.4's: the fake Argo CD behaves like that line. */
  readonly react: 16 | 19;
  /** Default: the demo's Applications on the demo fleet's clusters. */
  readonly applications?: readonly ArgoApplication[];
  readonly applicationSets?: readonly ArgoApplicationSet[];
}

export async function startWorld(options: WorldOptions): Promise<World> {
  let listed: readonly ArgoApplication[] = [];
  const greenlight = await startGreenlight(() => listed);
  const clusterRecords = greenlight.inventory.snapshot().clusters;
  const demo = demoApplications(clusterRecords, Date.now());
  // As Argo CD lists them: with the Kubernetes version it last read from each cluster, as EKS
  // reports it (`minor: "32+"`, so Argo CD says "1.32+").
  const clusters: ArgoCluster[] = await Promise.all(
    clusterRecords.map(async (c) => {
      const k = (await greenlight.inventory.factsFor(c)).facts.kubernetes;
      const serverVersion = k ? `${k.major}.${k.minor.replace(/\+$/, '')}+` : undefined;
      return { server: c.server, name: c.name, labels: c.labels, annotations: c.annotations, connectionState: { status: 'Successful' }, ...(serverVersion ? { info: { serverVersion }, serverVersion } : {}) };
    }),
  );
  const applications = options.applications ?? demo.applications;
  listed = applications;
  const line: ArgoCdLine = options.react === 16 ? '3.4' : '3.5';
  const argocd = await startFakeArgoCd({
    line,
    basePath: '/argocd/',
    applications,
    clusters,
    applicationSets: options.applicationSets ?? demo.applicationSets,
    hostScriptPath: await hostScript(options.react),
    extensionFiles: [BUNDLE],
    extensions: { greenlight: { url: greenlight.url, headers: [{ name: PROXY_SECRET_HEADER, value: PROXY_SECRET }] } },
  });
  return {
    argocd,
    greenlight,
    applications,
    close: async () => {
      await argocd.close();
      await greenlight.close();
    },
  };
}

/** Signs `browser` in to the world's Argo CD, as a user who logged in (its session cookie). */
export async function signIn(browser: Browser, world: World): Promise<void> {
  await browser.context.addCookies([{ name: SESSION_COOKIE, value: world.argocd.sessionToken, url: world.argocd.origin, httpOnly: true, sameSite: 'Lax' }]);
}
