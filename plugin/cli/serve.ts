/** @module `greenlight serve`: the service, configured by environment variables as in its manifests. */
import type { Command } from './commands.js';
import { parseCommandFlags } from './command-flags.js';

export const SERVE_USAGE = `Usage: greenlight serve

Starts the service (as npm start does): the Argo CD plugin generator API, /healthz, /readyz,
/metrics, and the API the UI extension reads. It is configured by environment variables only,
e.g. GREENLIGHT_INVENTORY (demo, argocd or a fleet file), GREENLIGHT_TOKEN_FILE, PORT (4355);
the README's configuration table lists them all. It stops on SIGTERM or SIGINT.`;

const SERVE_OPTIONS = { help: { type: 'boolean', short: 'h' } } as const;

export const serveCommand: Command = {
  usage: SERVE_USAGE,
  options: SERVE_OPTIONS,
  async run(argv, _env, io) {
    const parsed = parseCommandFlags('serve', SERVE_USAGE, { args: [...argv], allowPositionals: false, options: SERVE_OPTIONS }, io);
    if ('exit' in parsed) return parsed.exit;
    // The service's entry point starts on import and owns the process from then on.
    await import('../main.js');
    return -1;
  },
};
