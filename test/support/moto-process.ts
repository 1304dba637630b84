/**
 * @module moto's server (`moto_server`), an independent emulator of the AWS APIs, started by a
 * test on 127.0.0.1 and a free port. greenlight's adapters talk to it through the real AWS SDK.
 */
import { startChildServer } from './child-process-server.js';
import { eventually } from './patience.js';

export const MOTO_INSTALL = 'Install it with: python3 -m pip install "moto[server]==5.2.1" (moto_server must be on PATH)';

export interface Moto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const server = await startChildServer({
    command: 'moto_server',
    args: ['-H', '127.0.0.1', '-p', '0'],
    install: MOTO_INSTALL,
    port: (out) => {
      const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  try {
    await eventually(async () => {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (!res.ok) throw new Error(`moto answered ${res.status}`);
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { endpoint, stop: () => server.stop() };
}
