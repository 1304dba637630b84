/**
 * @module Child process of benchmark 4: the memory 10,000 Applications take where parity runs
 * (the UI reads them from Argo CD's list API and computes the fleet view). Run with
 * `node --expose-gc --import tsx bench/apps-memory-child.ts <applications> <clusters>`; prints
 * one JSON line.
 */
import { applicationListSchema, buildFleet } from '../generator/index.js';
import { fleetOfApps } from './support/applications.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const settle = () => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage();
};

const applications = Number(process.argv[2] ?? 10_000);
const clusters = Number(process.argv[3] ?? 4);
const before = settle();
// As the UI gets them: JSON text from the list API, parsed and validated; only the parsed list stays.
function load(): { list: ReturnType<typeof applicationListSchema.parse>; bytes: number } {
  const text = JSON.stringify({ items: fleetOfApps({ clusters, applications }).applications });
  return { list: applicationListSchema.parse(JSON.parse(text)), bytes: Buffer.byteLength(text) };
}
const { list, bytes: listBytes } = load();
const withApps = settle();
const fleet = buildFleet({ applications: list.items ?? [], clusters: fleetOfApps({ clusters, applications: 0 }).clusters });
const withView = settle();
process.stdout.write(
  `${JSON.stringify({
    applications: list.items?.length ?? 0,
    families: fleet.counts.families,
    listJsonBytes: listBytes,
    heapBaseline: before.heapUsed,
    heapApplications: withApps.heapUsed - before.heapUsed,
    heapFleetView: withView.heapUsed - withApps.heapUsed,
    rss: withView.rss,
  })}\n`,
);
