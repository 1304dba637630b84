/**
 * @module The `greenlight` command. Like main.ts, an entry point: it alone reads argv and the
 * environment. Each command's module is loaded when it runs: `register` and `weight` bring the
 * AWS SDK and the Kubernetes client, which `preview` on a fleet file never needs.
 */
import type { Io } from './preview.js';

const USAGE = `Usage: greenlight <command> [options]

Commands:
  preview   show what the plugin generator would answer for some input
  annotate  write the facts onto Argo CD cluster Secrets (Argo CD without plugin generators)
  register  turn an EKS cluster into a checked Argo CD cluster Secret
  weight    change the traffic weights of a pair's clusters, all or nothing
  role      change the roles of a pair's clusters, all or nothing
  readiness is a pair ready for the next weight step? (exit 0 ready, 2 blockers, 1 error)
  drift     what blue runs that Git does not (exit 0 nothing green lacks, 2 drift, 1 error)
  serve     start the service (same as npm start)

Run "greenlight <command> --help" for a command's options.`;

const io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'preview':
      return (await import('./preview.js')).runPreview(rest, process.env, io);
    case 'annotate':
      return (await import('./annotate.js')).runAnnotate(rest, process.env, io);
    case 'register':
      return (await import('./register.js')).runRegister(rest, process.env, io);
    case 'weight':
    case 'role':
      return (await import('./weight.js')).runPairChange(command, rest, process.env, io);
    case 'readiness':
      return (await import('./readiness.js')).runReadiness(rest, process.env, io);
    case 'drift':
      return (await import('./drift.js')).runDrift(rest, process.env, io);
    case 'serve':
      await import('../main.js');
      return -1;
    case undefined:
    case 'help':
    case '--help':
    case '-h': {
      const usages = await Promise.all([
        import('./preview.js').then((m) => m.PREVIEW_USAGE),
        import('./annotate.js').then((m) => m.ANNOTATE_USAGE),
        import('./register.js').then((m) => m.REGISTER_USAGE),
        import('./weight.js').then((m) => m.WEIGHT_USAGE),
        import('./readiness.js').then((m) => m.READINESS_USAGE),
        import('./drift.js').then((m) => m.DRIFT_USAGE),
      ]);
      io.out(`${[USAGE, ...usages].join('\n\n')}\n`);
      return command === undefined ? 2 : 0;
    }
    default:
      io.err(`greenlight: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

run(process.argv.slice(2)).then(
  (status) => {
    if (status >= 0) process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`greenlight: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
