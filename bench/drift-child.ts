/**
 * @module Child process of the drift benchmark, so that its RSS is the scan's alone:
 *   node --expose-gc --import tsx bench/drift-child.ts <server url> <rounds>
 * 1. RSS growth of one scan (peak sampled every 10 ms, over the RSS after a full GC before it);
 * 2. `rounds` × (a bare client fetching the same paged metadata-only lists, doing nothing with
 *    them but follow their continue tokens; and the scan, alternating which goes first), the
 *    same concurrency and page size; each one's wall time and this process's CPU time during it
 *    (the server runs in its own process: on a busy machine the client's CPU is what the ratio
 *    pays for).
 * Prints one JSON line.
 */
import http from 'node:http';
import { driftRules } from '../generator/index.js';
import { clusterConfigSchema } from '../plugin/adapters/argocd/cluster-connection.js';
import { KubeDriftScanner } from '../plugin/adapters/kubernetes/drift-scanner.js';
import { KubeClientFactory } from '../plugin/adapters/kubernetes/kube-client-factory.js';
import { createLogger } from '../plugin/logger.js';

const url = process.argv[2] ?? '';
const rounds = Number(process.argv[3] ?? 3);
const PAGE = 500;
const CONCURRENCY = 4;
/** CPU time (user + system) of this process since `from`, in ms: what the client itself spent. */
const cpuMsSince = (from: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(from);
  return (user + system) / 1000;
};
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const record = { name: 'bench', server: url, project: 'default', labels: {}, annotations: {}, origin: 'the benchmark' };
const connection = { name: 'bench', server: url, inCluster: false, config: clusterConfigSchema.parse({ tlsClientConfig: { insecure: true } }) };
const newScanner = () =>
  new KubeDriftScanner({ logger: createLogger('silent'), ratePerSecond: null, concurrency: CONCURRENCY, pageSize: PAGE, ttlMs: 0 }, { connectionFor: () => connection }, new KubeClientFactory());
const rules = driftRules();

async function scanOnce() {
  const scanner = newScanner();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const scan = await scanner.scan(record, rules, AbortSignal.timeout(600_000));
  const ms = performance.now() - started;
  scanner.close();
  return { ms, cpuMs: cpuMsSince(cpu), scan };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function get(path: string, accept: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}${path}`, { agent, headers: { Accept: accept } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** The bare client: the same lists, paged, nothing done with the items. */
async function bare(paths: readonly string[]): Promise<{ ms: number; cpuMs: number; items: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let items = 0;
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++] ?? '';
      let token: string | undefined;
      do {
        const page = (await get(`${path}?limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`, 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1')) as {
          items: unknown[];
          metadata: { continue?: string };
        };
        items += page.items.length;
        token = page.metadata.continue || undefined;
      } while (token);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ms: performance.now() - started, cpuMs: cpuMsSince(cpu), items };
}

gc();
gc();
const rssBefore = process.memoryUsage().rss;
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}, 10);
const first = await scanOnce();
clearInterval(sampler);
rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
const scan = first.scan;
// The lists the scan made, for the bare client: every listed type, at the version the scan chose.
const scanner = newScanner();
const { types } = await scanner.resourceTypes(record, AbortSignal.timeout(60_000));
scanner.close();
const paths = types.map((t) => (t.group === '' ? `/api/${t.version}/${t.resource}` : `/apis/${t.group}/${t.version}/${t.resource}`));
const roundsOut: { bareMs: number; scanMs: number; bareCpuMs: number; scanCpuMs: number }[] = [];
for (let i = 0; i < rounds; i++) {
  // Alternating which goes first, as the other benchmarks do: the shared machine drifts.
  const s1 = i % 2 === 1 ? await scanOnce() : undefined;
  const b = await bare(paths);
  if (b.items !== scan.objects) throw new Error(`the bare client read ${b.items} objects, the scan ${scan.objects}`);
  const s = s1 ?? (await scanOnce());
  roundsOut.push({ bareMs: b.ms, scanMs: s.ms, bareCpuMs: b.cpuMs, scanCpuMs: s.cpuMs });
}
agent.destroy();
process.stdout.write(
  `${JSON.stringify({ objects: scan.objects, resourceTypes: scan.resourceTypes, candidates: scan.candidates.length, firstScanMs: first.ms, rssBefore, rssPeak, rounds: roundsOut })}\n`,
);
