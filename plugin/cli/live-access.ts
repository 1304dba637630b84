/**
 * @module What a command needs before it reaches live systems, checked before it waits on them:
 * a kubeconfig (or a pod's service account) for the Kubernetes API, the AWS profile it names;
 * and progress on stderr while it waits. Every message says what to do on a laptop and in a pod.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Io } from './io.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where a pod's service account token is mounted (what the Kubernetes client reads in a pod). */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function home(env: Env): string {
  return env['HOME'] ?? env['USERPROFILE'] ?? homedir();
}

/**
 * Why the Kubernetes client would have nothing to connect with, or undefined when it has a
 * kubeconfig or a service account. Follows the client's own order: KUBECONFIG, ~/.kube/config,
 * then the pod's service account.
 */
export function kubeconfigProblem(env: Env): string | undefined {
  const kubeconfig = env['KUBECONFIG'];
  if (kubeconfig !== undefined && kubeconfig !== '') {
    const files = kubeconfig.split(delimiter).filter((f) => f !== '');
    if (files.some((f) => existsSync(f))) return undefined;
    return `KUBECONFIG is ${kubeconfig}, and no such file exists: point it at a kubeconfig for the Argo CD cluster (aws eks update-kubeconfig --name CLUSTER writes one), or unset it to use ~/.kube/config; in a pod, unset it to use the service account`;
  }
  if (existsSync(join(home(env), '.kube', 'config'))) return undefined;
  if (env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(SERVICE_ACCOUNT_TOKEN)) return undefined;
  return `no kubeconfig: set KUBECONFIG or run in a pod with a service account (there is no ${join(home(env), '.kube', 'config')}; on a laptop, aws eks update-kubeconfig --name CLUSTER writes one for the Argo CD cluster)`;
}

/** The profiles defined in the AWS config and credentials files (`[profile x]`, `[x]`). */
function definedProfiles(env: Env): Set<string> | undefined {
  const files = [env['AWS_CONFIG_FILE'] ?? join(home(env), '.aws', 'config'), env['AWS_SHARED_CREDENTIALS_FILE'] ?? join(home(env), '.aws', 'credentials')];
  const found = new Set<string>();
  let readAny = false;
  for (const [i, file] of files.entries()) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    readAny = true;
    for (const m of text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)) {
      const section = m[1] as string;
      // The config file names profiles "profile x" (except default); the credentials file just "x".
      if (i === 0 && section.startsWith('profile ')) found.add(section.slice('profile '.length).trim());
      else if (i === 1 || section === 'default') found.add(section);
    }
  }
  return readAny ? found : undefined;
}

/**
 * Why the AWS profile the environment names cannot be used, or undefined. Only a named profile
 * (AWS_PROFILE) is checked: without one, the SDK's default chain (environment, SSO cache, IRSA,
 * Pod Identity, instance role) decides, and its own failure is explained where it happens.
 */
export function awsProfileProblem(env: Env): string | undefined {
  const profile = env['AWS_PROFILE'];
  if (profile === undefined || profile === '') return undefined;
  const profiles = definedProfiles(env);
  if (profiles?.has(profile) === true) return undefined;
  const where = env['AWS_CONFIG_FILE'] ?? '~/.aws/config';
  return `AWS profile ${profile} not found in ${where}${profiles === undefined ? ' (there is no such file)' : ''}: run aws configure sso (or aws configure --profile ${profile}), or set AWS_PROFILE to a profile you have; in a pod, unset AWS_PROFILE and use IRSA or Pod Identity`;
}

/** After this long without an answer a command says what it waits for. */
export const PROGRESS_AFTER_MS = 2_000;
const PROGRESS_EVERY_MS = 5_000;

/**
 * Waits for `work`, telling stderr what it waits for once that takes longer than `afterMs`
 * (then every few seconds): `greenlight: waiting for WHAT (3 s)`, as `io.progress` says: the
 * line rewritten in place on a terminal, a line per report, or nothing.
 */
export async function withProgress<T>(io: Io, what: string, work: Promise<T>, afterMs = PROGRESS_AFTER_MS): Promise<T> {
  const mode = io.progress;
  if (mode === undefined) return work;
  const started = Date.now();
  let shown = false;
  const report = () => {
    const seconds = Math.round((Date.now() - started) / 1000);
    io.err(mode === 'rewrite' ? `\r\x1b[2Kgreenlight: waiting for ${what} (${seconds} s)` : `greenlight: waiting for ${what} (${seconds} s)\n`);
    shown = true;
  };
  let timer: NodeJS.Timeout | undefined = setTimeout(function tick() {
    report();
    timer = setTimeout(tick, PROGRESS_EVERY_MS);
  }, afterMs);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
    // On a terminal the wait line is cleared, so what follows starts on a clean line.
    if (shown && mode === 'rewrite') io.err('\r\x1b[2K');
  }
}
