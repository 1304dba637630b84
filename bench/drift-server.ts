/**
 * @module Child process of the drift benchmark: serves `benchCluster(objects)` from the fake API
 * server on 127.0.0.1 (plain HTTP, anonymous) and prints its URL as one JSON line; stops on SIGTERM.
 *   node --import tsx bench/drift-server.ts <objects>
 */
import { FakeKubeApiServer } from '../test/support/fake-kube-apiserver.js';
import { benchCluster } from './drift-cluster.js';

const objects = Number(process.argv[2] ?? 100_000);
const store = benchCluster(objects);
const server = await FakeKubeApiServer.start({ objects: store });
// Keep only counts: the recorded requests would grow with every benchmark round.
setInterval(() => {
  server.requests.splice(0);
  store.requests.splice(0);
}, 1000).unref();
process.stdout.write(`${JSON.stringify({ url: server.url, objects: store.size, types: store.resourceTypes.length })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
