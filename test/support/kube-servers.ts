/** Fake kube-apiservers for one test file: `serve` starts one, and each is closed after its test. */
import { afterEach } from 'vitest';
import { FakeKubeApiServer, type FakeKubeApiServerOptions } from './fake-kube-apiserver.js';

export function kubeServersPerTest(): (options: FakeKubeApiServerOptions) => Promise<FakeKubeApiServer> {
  const servers: FakeKubeApiServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  return async (options) => {
    const server = await FakeKubeApiServer.start(options);
    servers.push(server);
    return server;
  };
}
