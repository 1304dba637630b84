/**
 * The conventions of `greenlight` as a command, checked as an operator meets them (issue 14 §4):
 * short help and `help COMMAND`, `version`, `completion`, "did you mean", `-o text|json|yaml`
 * everywhere, enum flags checked, `--inventory` the same everywhere, live commands that fail fast
 * without a kubeconfig and say what they wait for, and errors that say what to do.
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { runGreenlight } from '../support/cli-process.js';
import { FakeKubeApiServer, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { eventually, PATIENCE_MS } from '../support/patience.js';
import { REPO_ROOT } from '../support/service-process.js';

let dir: string;
let env: Record<string, string>;
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Parsed JSON, or the documents of a YAML stream (a list only when there are several, as a
 * command prints a list: one document each), with fetch times, which differ between two runs,
 * replaced by a marker.
 */
function data(text: string, format: 'json' | 'yaml'): unknown {
  const docs = format === 'json' ? [JSON.parse(text) as unknown] : parseAllDocuments(text).map((d) => d.toJS() as unknown);
  const doc = docs.length === 1 ? docs[0] : docs;
  return JSON.parse(JSON.stringify(doc), (key, value: unknown) => (/fetchedAt|assessedAt|evaluatedAt/.test(key) ? '<time>' : value));
}

/** A list of one as its one element, so a YAML stream of one document compares with it. */
function unwrapped(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;
}

function greenlight(...args: string[]) {
  return runGreenlight(args, env);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gl-cli-'));
  // A laptop with nothing set up: no kubeconfig, no AWS configuration.
  mkdirSync(join(dir, 'home'));
  env = { PATH: process.env['PATH'] ?? '', HOME: join(dir, 'home') };
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('help', () => {
  it('greenlight --help is a screenful: one line per command, the global flags, where to look next', async () => {
    const res = await greenlight('--help');
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(30);
    expect(lines).toContain('  preview     show what the plugin generator would answer for some input');
    expect(lines).toContain('  version     print greenlight\'s version');
    expect(lines).toContain('  completion  print a shell completion script: bash, zsh or fish');
    expect(lines).toContain('      --version   print greenlight\'s version (as greenlight version does)');
    expect(lines.at(-1)).toBe('Use "greenlight help COMMAND" (or "greenlight COMMAND --help") for a command\'s flags.');
    expect((await greenlight('help')).stdout).toBe(res.stdout);
  });

  it('greenlight help COMMAND and COMMAND --help print that command\'s usage and exit 0', async () => {
    const [help, flag, short] = await Promise.all([greenlight('help', 'preview'), greenlight('preview', '--help'), greenlight('preview', '-h', '--pair', 'x')]);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: greenlight preview [input] [options]');
    expect(flag).toEqual(help);
    expect(short).toEqual(help);
  });

  it('greenlight serve --help prints help and does not start the server', async () => {
    const res = await greenlight('serve', '--help');
    expect(res).toEqual({ code: 0, stdout: expect.stringMatching(/^Usage: greenlight serve\n\nStarts the service/) as unknown, stderr: '' });
  });

  it('no command prints the help on stderr and exits 2', async () => {
    const res = await greenlight();
    expect(res.code).toBe(2);
    expect(res.stderr).toBe((await greenlight('help')).stdout);
  });
});

describe('version', () => {
  it('greenlight version and --version print the package version, with Node.js and the platform', async () => {
    const [text, flag, json, yaml] = await Promise.all([greenlight('version'), greenlight('--version'), greenlight('version', '-o', 'json'), greenlight('version', '-o', 'yaml')]);
    const info = JSON.parse(json.stdout) as { version: string; node: string; platform: string };
    expect(info).toEqual({ version: VERSION, node: expect.stringMatching(/^v\d+\.\d+\.\d+$/) as unknown, platform: `${process.platform}/${process.arch}` });
    expect(text).toEqual({ code: 0, stdout: `greenlight ${VERSION} (node ${info.node}, ${info.platform})\n`, stderr: '' });
    expect(flag).toEqual(text);
    expect(parseYaml(yaml.stdout)).toEqual(info);
  });
});

describe('completion', () => {
  it('bash: the script registers a completion that completes commands, flags and flag values', async () => {
    const res = await greenlight('completion', 'bash');
    expect(res.code).toBe(0);
    const script = join(dir, 'greenlight.bash');
    writeFileSync(script, res.stdout);
    // The completion function called as bash calls it on Tab, for each line typed so far.
    const typed = ['greenlight prev', 'greenlight preview --pa', 'greenlight weight --inv', 'greenlight readiness -o ', 'greenlight help reg', 'greenlight completion f'];
    const probe = [
      `source ${script}`,
      'complete -p greenlight',
      ...typed.map((line) => `read -ra COMP_WORDS <<< ${JSON.stringify(line)}; ${line.endsWith(' ') ? 'COMP_WORDS+=("");' : ''} COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); COMPREPLY=(); _greenlight; echo "\${COMPREPLY[*]}"`),
    ].join('\n');
    const { stdout } = await promisify(execFile)('bash', ['-c', probe], { env, timeout: PATIENCE_MS });
    expect(stdout.split('\n')).toEqual([
      'complete -o default -F _greenlight greenlight',
      'preview',
      '--pair',
      '--inventory',
      'text json yaml',
      'register',
      'fish',
      '',
    ]);
  });

  it('zsh and fish get scripts of their own; another shell is refused', async () => {
    const [zsh, fish, other] = await Promise.all([greenlight('completion', 'zsh'), greenlight('completion', 'fish'), greenlight('completion', 'powershell')]);
    expect(zsh.stdout.split('\n')[0]).toBe('#compdef greenlight');
    expect(zsh.stdout).toContain('complete -o default -F _greenlight greenlight');
    expect(fish.stdout).toContain("complete -c greenlight -n __fish_use_subcommand -a preview -d 'show what the plugin generator would answer for some input'");
    expect(fish.stdout).toContain("complete -c greenlight -n '__fish_seen_subcommand_from preview' -l output -s o -x -a 'text json yaml'");
    expect(other).toEqual({ code: 2, stdout: '', stderr: 'greenlight completion: name one shell: bash, zsh or fish, got "powershell"\nRun "greenlight completion --help" for how to load it.\n' });
  });
});

describe('did you mean', () => {
  it('suggests the nearest command, flag or value, and exits 2', async () => {
    const results = await Promise.all([
      greenlight('previw'),
      greenlight('preview', '--pari', 'prod-eu'),
      greenlight('--versoin'),
      greenlight('preview', '-o', 'jsn'),
      greenlight('help', 'weigth'),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(results.map((r) => r.stderr)).toEqual([
      'greenlight: unknown command "previw"; did you mean "preview"?\nRun "greenlight help" for the commands.\n',
      'greenlight preview: unknown flag --pari; did you mean "--pair"?\nRun "greenlight preview --help" for its usage.\n',
      'greenlight: unknown flag --versoin before the command; did you mean "--version"?\nRun "greenlight help" for the commands.\n',
      'greenlight preview: --output is one of text, json, yaml; got "jsn"; did you mean "json"?\nRun "greenlight preview --help" for its usage.\n',
      'greenlight: unknown command "weigth"; did you mean "weight"?\nRun "greenlight help" for the commands.\n',
    ]);
  });

  it('a flag before the command is shown where it goes', async () => {
    const res = await greenlight('--inventory', 'demo', 'preview');
    expect(res).toEqual({
      code: 2,
      stdout: '',
      stderr: 'greenlight: unknown flag --inventory before the command\nFlags go after the command: greenlight preview --inventory demo\nRun "greenlight help" for the commands.\n',
    });
  });
});

describe('-o text|json|yaml', () => {
  it('every command with structured output takes the same values, with text the default', async () => {
    const usages = await Promise.all(['preview', 'readiness', 'weight', 'register', 'annotate', 'version'].map((c) => greenlight('help', c)));
    for (const u of usages) expect(u.stdout).toMatch(/\n {2}-o, --output FORMAT {6}text \(default: .+\), json or yaml/);
  });

  it('preview: yaml is the json answer; table is still accepted for text', async () => {
    const [json, yaml, text, table] = await Promise.all([
      greenlight('preview', '--pair', 'prod-eu', '-o', 'json'),
      greenlight('preview', '--pair', 'prod-eu', '-o', 'yaml'),
      greenlight('preview', '--pair', 'prod-eu', '--only', 'cluster'),
      greenlight('preview', '--pair', 'prod-eu', '--only', 'cluster', '-o', 'table'),
    ]);
    expect(json.code).toBe(0);
    expect(data(yaml.stdout, 'yaml')).toEqual(data(json.stdout, 'json'));
    expect(text.stdout).toContain('● prod-eu-green   pair prod-eu · role green · weight 0');
    expect(table).toEqual(text);
  });

  it('readiness, weight and annotate print the same data as json and yaml', async () => {
    const pairs = await Promise.all(
      [
        ['readiness', '--pair', 'prod-eu'],
        ['weight', '--inventory', 'demo', '--pair', 'prod-eu', '--set', 'prod-eu-green=20', '--set', 'prod-eu-blue=80'],
        ['annotate', '--cluster', 'prod-eu-green'],
      ].map(async (args) => [await greenlight(...args, '-o', 'json'), await greenlight(...args, '-o', 'yaml')] as const),
    );
    for (const [json, yaml] of pairs) {
      expect(json.stdout).not.toBe('');
      expect(data(yaml.stdout, 'yaml')).toEqual(unwrapped(data(json.stdout, 'json')));
    }
    expect(JSON.parse(pairs[1]?.[0].stdout ?? '')).toEqual({
      pair: 'prod-eu',
      field: 'weight',
      clusters: [
        { cluster: 'prod-eu-blue', role: 'blue', before: '100', after: '80' },
        { cluster: 'prod-eu-green', role: 'green', before: '0', after: '20' },
      ],
      applied: false,
    });
  });
});

describe('enum flags', () => {
  it('an unknown value names the allowed ones', async () => {
    const [only, compat, output] = await Promise.all([
      greenlight('preview', '--only', 'vars,foo'),
      greenlight('annotate', '--compat', 'gitops'),
      greenlight('readiness', '--pair', 'prod-eu', '-o', 'wide'),
    ]);
    expect(only).toEqual({
      code: 2,
      stdout: '',
      stderr: 'greenlight preview: --only takes vars, input, cluster, aws, kubernetes, addons, storage, ingress, podIdentity, secrets, facts (comma-separated); got "foo"\nRun "greenlight preview --help" for its usage.\n',
    });
    expect(compat.stderr).toBe('greenlight annotate: --compat is one of gitops-bridge; got "gitops"; did you mean "gitops-bridge"?\nRun "greenlight annotate --help" for its usage.\n');
    expect(compat.code).toBe(2);
    // readiness keeps its documented status for any error: 1.
    expect(output).toEqual({ code: 1, stdout: '', stderr: 'greenlight readiness: --output is one of text, json, yaml; got "wide"\nRun "greenlight readiness --help" for its usage.\n' });
  });
});

describe('preview [input]', () => {
  it('takes the input file as an argument, as with -f', async () => {
    const file = join(dir, 'input.yaml');
    writeFileSync(file, 'pair: prod-eu\nrole: green\n');
    const [positional, flag, both] = await Promise.all([greenlight('preview', file, '-o', 'json'), greenlight('preview', '-f', file, '-o', 'json'), greenlight('preview', file, 'other.yaml')]);
    expect(positional.code).toBe(0);
    expect(data(positional.stdout, 'json')).toEqual(data(flag.stdout, 'json'));
    expect(JSON.parse(positional.stdout).output.parameters.map((p: { cluster: { name: string } }) => p.cluster.name)).toEqual(['prod-eu-green']);
    expect(both.stderr).toBe(`greenlight preview: give one input file, got 2: ${file} other.yaml\nRun "greenlight preview --help" for its usage.\n`);
  });

  it('an input file that is missing or not YAML is named', async () => {
    const bad = join(dir, 'bad-input.yaml');
    writeFileSync(bad, 'pair: [prod-eu\n');
    const [missing, invalid] = await Promise.all([greenlight('preview', 'inptu.yaml'), greenlight('preview', bad)]);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: `greenlight preview: no input file inptu.yaml (${resolve('inptu.yaml')} does not exist)\n` });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(new RegExp(`^greenlight preview: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid YAML: .* at line 2, column 1:\n$`));
  });
});

describe('--inventory', () => {
  it('a fleet file that is not there is a clear error, with the nearest name', async () => {
    const [flag, fromEnv] = await Promise.all([greenlight('preview', '--inventory', 'dmeo'), runGreenlight(['readiness', '--pair', 'prod-eu'], { ...env, GREENLIGHT_INVENTORY: 'argcd' })]);
    expect(flag).toEqual({
      code: 2,
      stdout: '',
      stderr: `greenlight preview: --inventory: no fleet file dmeo (${resolve('dmeo')} does not exist); use demo, argocd, or a path to a fleet file; did you mean "demo"?\n`,
    });
    expect(fromEnv.stderr).toBe(`greenlight readiness: GREENLIGHT_INVENTORY: no fleet file argcd (${resolve('argcd')} does not exist); use demo, argocd, or a path to a fleet file; did you mean "argocd"?\n`);
  });

  it('a fleet file that is not valid YAML is named, with the line', async () => {
    const file = join(dir, 'broken-fleet.yaml');
    writeFileSync(file, 'apiVersion: greenlight.io/v1alpha1\nkind: Fleet\nclusters: [\n  - name: a\n');
    const res = await greenlight('preview', '--inventory', file);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n')[0]).toMatch(new RegExp(`^greenlight preview: fleet file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid YAML: .* at line \\d+, column \\d+$`));
  });

  it('weight and role take --inventory demo: they show the change and refuse --apply, saying why', async () => {
    const args = ['--pair', 'prod-eu', '--set', 'prod-eu-green=20', '--set', 'prod-eu-blue=80', '--inventory', 'demo'];
    const fleet = join(dir, 'fleet.yaml');
    writeFileSync(fleet, readFileSync(join(REPO_ROOT, 'demo', 'fleet.yaml')));
    const [shown, applied, role, file] = await Promise.all([
      greenlight('weight', ...args),
      greenlight('weight', ...args, '--apply'),
      greenlight('role', '--pair', 'prod-eu', '--set', 'prod-eu-blue=retired', '--inventory', 'demo'),
      greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-green=20', '--inventory', fleet, '--apply'),
    ]);
    const table = 'cluster         role    weight     share of traffic\nprod-eu-blue    blue    100 → 80   100% → 80%\nprod-eu-green   green   0 → 20     0% → 20%\n';
    expect(shown).toEqual({ code: 0, stdout: `${table}\nnot applied (dry run): add --apply to write it\n`, stderr: '' });
    expect(applied).toEqual({
      code: 1,
      stdout: table,
      stderr: "greenlight weight: not applied: the bundled demo fleet is read-only; run it without --apply to see a change, or with --inventory argocd to write Argo CD's cluster Secrets\n",
    });
    expect(role).toEqual({ code: 0, stdout: 'cluster         role\nprod-eu-blue    blue → retired\nprod-eu-green   green → green\n\nnot applied (dry run): add --apply to write it\n', stderr: '' });
    expect(file.code).toBe(1);
    expect(file.stderr).toBe(`greenlight weight: not applied: greenlight does not write fleet files; set the annotation greenlight.io/weight of prod-eu-green to "20" in ${fleet} (a running greenlight picks the change up), or use --inventory argocd\n`);
  });

  it('register takes --inventory: --apply with the demo is refused before anything is read', async () => {
    const res = await greenlight('register', 'prod-eu-green', '--region', 'eu-west-1', '--inventory', 'demo', '--apply');
    expect(res).toEqual({
      code: 2,
      stdout: '',
      stderr: 'greenlight register: --apply writes an Argo CD cluster Secret, and the bundled demo fleet has none: leave out --apply to print the Secret, or use --inventory argocd\nRun "greenlight register --help" for its usage.\n',
    });
  });
});

describe('templates', () => {
  it('a Go-template habit in --var is named, with the Handlebars spelling', async () => {
    const res = await greenlight('preview', '--pair', 'prod-eu', '--var', 'host=web.{{ .ingress.clusterDomain }}');
    expect(res).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'greenlight would refuse flags [GL_TEMPLATE_INVALID]:\n  input.parameters.vars.host does not compile: {{ .ingress.clusterDomain }} is Go template syntax; greenlight templates are Handlebars: write {{ingress.clusterDomain}} (paths without a leading dot)\n',
    });
  });
});

describe('live mode', () => {
  it('without a kubeconfig, fails at once saying what to set, on a laptop and in a pod', async () => {
    const noKubeconfig = `no kubeconfig: set KUBECONFIG or run in a pod with a service account (there is no ${join(env['HOME'] as string, '.kube', 'config')}; on a laptop, aws eks update-kubeconfig --name CLUSTER writes one for the Argo CD cluster)`;
    const [preview, weight, missingFile] = await Promise.all([
      greenlight('preview', '--inventory', 'argocd'),
      greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-green=20'),
      runGreenlight(['annotate', '--inventory', 'argocd'], { ...env, KUBECONFIG: join(dir, 'nope', 'kubeconfig') }),
    ]);
    expect(preview).toEqual({ code: 2, stdout: '', stderr: `greenlight preview: ${noKubeconfig}\n` });
    expect(weight).toEqual({ code: 2, stdout: '', stderr: `greenlight weight: ${noKubeconfig}\n` });
    expect(missingFile.stderr).toBe(
      `greenlight annotate: KUBECONFIG is ${join(dir, 'nope', 'kubeconfig')}, and no such file exists: point it at a kubeconfig for the Argo CD cluster (aws eks update-kubeconfig --name CLUSTER writes one), or unset it to use ~/.kube/config; in a pod, unset it to use the service account\n`,
    );
  });

  it('says on stderr what it waits for when the Kubernetes API is slow to answer, then what to check', async () => {
    const argocd = await FakeKubeApiServer.start();
    const kubeDir = mkdtempSync(join(dir, 'kube-'));
    const child = spawn('node', [join(REPO_ROOT, 'dist', 'plugin', 'cli', 'main.js'), 'preview', '--inventory', 'argocd'], {
      // Not a terminal here: GREENLIGHT_PROGRESS=always asks for the reports anyway.
      env: { ...env, KUBECONFIG: writeKubeconfig(kubeDir, argocd.url), GREENLIGHT_PROGRESS: 'always' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      // The Secret list never answers while the test looks.
      argocd.delayRequests({ path: /\/secrets/, ms: PATIENCE_MS * 2, times: 100 });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const line = await eventually(() => {
        const m = /greenlight: waiting for [^\n]*\n/.exec(stderr);
        if (!m) throw new Error(`no progress line yet; stderr so far: ${JSON.stringify(stderr)}`);
        return m[0];
      });
      expect(line).toMatch(new RegExp(`^greenlight: waiting for the Argo CD cluster Secrets in namespace argocd from the Kubernetes API at ${argocd.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ s\\)\\n$`));
      expect(Number(/\((\d+) s\)/.exec(line)?.[1])).toBeGreaterThanOrEqual(2);
      // Then it gives up (15 s), saying what to check rather than "retry shortly".
      const code = await new Promise<number | null>((done) => (child.exitCode !== null ? done(child.exitCode) : child.on('exit', (c) => done(c))));
      expect(code).toBe(1);
      expect(stderr.split('\n').at(-2)).toBe(
        `greenlight preview: Argo CD cluster Secrets in namespace "argocd" are not loaded yet, after 15 s: check that the kubeconfig's current context reaches the Argo CD cluster (${argocd.url}) and may list Secrets there (kubectl auth can-i list secrets -n argocd); in a pod, that its service account may`,
      );
    } finally {
      child.kill();
      await argocd.close();
    }
  });

  it('a missing AWS profile says what to do on a laptop and in a pod', async () => {
    const config = join(dir, 'aws-config');
    writeFileSync(config, '[default]\nregion = eu-west-1\n[profile staging]\nregion = eu-west-1\n');
    const [none, other] = await Promise.all([
      runGreenlight(['register', 'prod-eu-green', '--region', 'eu-west-1'], { ...env, AWS_PROFILE: 'prod' }),
      runGreenlight(['register', 'prod-eu-green', '--region', 'eu-west-1'], { ...env, AWS_PROFILE: 'prod', AWS_CONFIG_FILE: config }),
    ]);
    expect(none).toEqual({
      code: 1,
      stdout: '',
      stderr: 'greenlight register: AWS profile prod not found in ~/.aws/config (there is no such file): run aws configure sso (or aws configure --profile prod), or set AWS_PROFILE to a profile you have; in a pod, unset AWS_PROFILE and use IRSA or Pod Identity\n',
    });
    expect(other.stderr).toBe(
      `greenlight register: AWS profile prod not found in ${config}: run aws configure sso (or aws configure --profile prod), or set AWS_PROFILE to a profile you have; in a pod, unset AWS_PROFILE and use IRSA or Pod Identity\n`,
    );
  });
});
