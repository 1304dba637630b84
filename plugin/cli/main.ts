/** @module The `greenlight` command. Like main.ts, an entry point: it alone reads argv and the environment. */
import { ANNOTATE_USAGE, runAnnotate } from './annotate.js';
import { PREVIEW_USAGE, runPreview, type Io } from './preview.js';
import { READINESS_USAGE, runReadiness } from './readiness.js';
import { REGISTER_USAGE, runRegister } from './register.js';
import { runPairChange, WEIGHT_USAGE } from './weight.js';

const USAGE = `Usage: greenlight <command> [options]

Commands:
  preview   show what the plugin generator would answer for some input
  annotate  write the facts onto Argo CD cluster Secrets (Argo CD without plugin generators)
  register  turn an EKS cluster into a checked Argo CD cluster Secret
  weight    change the traffic weights of a pair's clusters, all or nothing
  role      change the roles of a pair's clusters, all or nothing
  readiness is a pair ready for the next weight step? (exit 0 ready, 2 blockers, 1 error)
  serve     start the service (same as npm start)

Run "greenlight <command> --help" for a command's options.`;

const io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'preview':
      return runPreview(rest, process.env, io);
    case 'annotate':
      return runAnnotate(rest, process.env, io);
    case 'register':
      return runRegister(rest, process.env, io);
    case 'weight':
    case 'role':
      return runPairChange(command, rest, process.env, io);
    case 'readiness':
      return runReadiness(rest, process.env, io);
    case 'serve':
      await import('../main.js');
      return -1;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(`${USAGE}\n\n${PREVIEW_USAGE}\n\n${ANNOTATE_USAGE}\n\n${REGISTER_USAGE}\n\n${WEIGHT_USAGE}\n\n${READINESS_USAGE}\n`);
      return command === undefined ? 2 : 0;
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
