#!/usr/bin/env node
/**
 * Builds greenlight's Argo CD UI extension: one classic script, `dist/extension-greenlight.js`
 * (an IIFE for ES2019, JSX compiled to React.createElement, React/ReactDOM/jsx-runtime/Moment
 * taken from the host's window globals, nothing of React inside), plus `dist/demo-host.js`, the
 * React 19 stand-in for Argo CD's UI that `npm start`'s demo page and the browser tests use.
 *
 *   node ui-extension/build.mjs
 *
 * Also importable: `buildExtension()`, `buildDemoHost({ react, outfile })`.
 */
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const UI_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = dirname(UI_DIR);
export const DIST_DIR = join(UI_DIR, 'dist');
export const BUNDLE_NAME = 'extension-greenlight.js';
export const REACT16_DIR = join(REPO_ROOT, 'test', 'hosts', 'react16');

const require = createRequire(import.meta.url);

/** Modules the host provides, each mapped to a shim that reads its window global. */
const HOST_MODULES = {
  react: 'react.cjs',
  'react-dom': 'react-dom.cjs',
  'react/jsx-runtime': 'jsx-runtime.cjs',
  'react/jsx-dev-runtime': 'jsx-runtime.cjs',
  moment: 'moment.cjs',
};

function hostGlobals() {
  return {
    name: 'greenlight-host-globals',
    setup(b) {
      b.onResolve({ filter: /^(react|react-dom|react\/jsx-runtime|react\/jsx-dev-runtime|moment)$/ }, (args) => ({
        path: join(UI_DIR, 'shims', HOST_MODULES[args.path]),
      }));
      b.onResolve({ filter: /^react-dom\/./ }, (args) => ({
        errors: [{ text: `${args.path} is not available to Argo CD extensions: the host exposes only react-dom (no createRoot, no server rendering)` }],
      }));
    },
  };
}

/**
 * The contract modules write `import { z } from 'zod'`. zod re-exports `z` as a namespace
 * value, which esbuild cannot tree-shake (every locale and the JSON Schema code would ship:
 * 470 KB); a direct namespace import of zod's classic API can be shaken. Same API, same objects.
 * Their `.describe('…')` texts document the JSON Schemas (`npm run schema`) and are never read in
 * the browser: a call with one string literal is dropped from the bundle (about 7 KB).
 */
/** `.describe(<one string literal>)`, with its line break; a description built from anything else stays. */
const DESCRIBE_LITERAL = /\s*\.describe\(\s*(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.|\$(?!\{))*`)\s*,?\s*\)/g;

/** greenlight's CSS (styles.ts) without its comments and the whitespace around its punctuation. */
function compactStyles() {
  return {
    name: 'greenlight-compact-styles',
    setup(b) {
      b.onLoad({ filter: /[\\/]ui-extension[\\/]styles\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const contents = source.replace(/export const CSS = `([^`]*)`;/, (_, css) => {
          const compact = css
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/\s*\n\s*/g, ' ')
            .replace(/\s*([{};,>])\s*/g, '$1')
            .trim();
          return `export const CSS = ${JSON.stringify(compact)};`;
        });
        if (contents === source) throw new Error('ui-extension/styles.ts no longer has `export const CSS = `...`;`: update compactStyles in build.mjs');
        return { contents, loader: 'ts' };
      });
    },
  };
}

function zodNamespaceImport() {
  const classic = join(dirname(require.resolve('zod')), 'v4', 'classic', 'external.js');
  return {
    name: 'greenlight-zod-namespace',
    setup(b) {
      b.onLoad({ filter: /[\\/]generator[\\/]contract[\\/][^\\/]+\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const contents = source.replace(/^import \{ z \} from 'zod';$/m, `import * as z from ${JSON.stringify(classic)};`).replace(DESCRIBE_LITERAL, '');
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** The UI may import the contract and the pure parity and readiness modules of generator/, nothing else of ours. */
const ALLOWED_GENERATOR = [/^generator\/contract\/[^/]+\.ts$/, /^generator\/parity\.ts$/, /^generator\/model\.ts$/, /^generator\/readiness\/[^/]+\.ts$/];

function checkImports(metafile) {
  const problems = [];
  for (const input of Object.keys(metafile.inputs)) {
    const path = relative(REPO_ROOT, join(UI_DIR, '..', input.startsWith('..') ? relative('..', input) : input)).split(sep).join('/');
    const normalized = input.replace(/^(\.\.\/)+/, '').split(sep).join('/');
    const candidate = normalized.startsWith('generator/') ? normalized : path;
    if (candidate.startsWith('generator/') && !ALLOWED_GENERATOR.some((re) => re.test(candidate))) problems.push(candidate);
    if (/^(plugin|test)\//.test(candidate)) problems.push(candidate);
    if (/node_modules\/(react|react-dom|scheduler|moment)\//.test(input)) problems.push(`${input} (the host provides it)`);
  }
  if (problems.length > 0) {
    throw new Error(`the UI bundle imports modules it must not (ui-extension may import generator/contract, generator/parity.ts and generator/readiness/ only): ${problems.join(', ')}`);
  }
}

/** What the extension and the demo hosts are built as: one minified classic ES2019 script, JSX as React.createElement. */
const BROWSER_SCRIPT = {
  absWorkingDir: REPO_ROOT,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2019',
  jsx: 'transform',
  jsxFactory: 'React.createElement',
  jsxFragment: 'React.Fragment',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

/** Builds `dist/extension-greenlight.js`; returns its path and sizes. */
export async function buildExtension({ outdir = DIST_DIR } = {}) {
  const outfile = join(outdir, BUNDLE_NAME);
  const result = await build({
    ...BROWSER_SCRIPT,
    entryPoints: [join(UI_DIR, 'index.tsx')],
    outfile,
    charset: 'utf8',
    // JSX compiles to the injected short names for the host's createElement and Fragment.
    jsxFactory: 'h',
    jsxFragment: 'Fragment',
    inject: [join(UI_DIR, 'shims', 'jsx-factory.ts')],
    metafile: true,
    plugins: [hostGlobals(), zodNamespaceImport(), compactStyles()],
  });
  checkImports(result.metafile);
  // Argo CD <= 3.4 concatenates extension files as they are: end with a statement terminator.
  let code = readFileSync(outfile, 'utf8');
  if (!code.endsWith(';\n')) {
    code = `${code.replace(/\s*$/, '')};\n`;
    writeFileSync(outfile, code);
  }
  const bytes = Buffer.byteLength(code);
  const gzipBytes = gzipSync(code).length;
  return { outfile, bytes, gzipBytes };
}

/** Builds a demo host: React 19 (Argo CD 3.5+) by default, React 16.14 (Argo CD <= 3.4) for tests. */
export async function buildDemoHost({ react = 19, outfile = join(DIST_DIR, 'demo-host.js') } = {}) {
  const reactRequire = react === 16 ? createRequire(join(REACT16_DIR, 'package.json')) : require;
  const plugins =
    react === 16
      ? [
          {
            name: 'greenlight-react16',
            setup(b) {
              b.onResolve({ filter: /^(react|react-dom)(\/.*)?$/ }, (args) => ({ path: reactRequire.resolve(args.path) }));
            },
          },
        ]
      : [];
  await build({
    ...BROWSER_SCRIPT,
    entryPoints: [join(UI_DIR, 'demo-host', react === 16 ? 'entry-react16.tsx' : 'entry-react19.tsx')],
    outfile,
    plugins,
  });
  return { outfile };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  try {
    mkdirSync(DIST_DIR, { recursive: true });
    const [ext] = await Promise.all([buildExtension(), buildDemoHost()]);
    process.stdout.write(
      `ui-extension: ${relative(REPO_ROOT, ext.outfile)} ${kb(ext.bytes)} (gzip ${kb(ext.gzipBytes)}), demo host ui-extension/dist/demo-host.js, in ${Date.now() - started} ms\n`,
    );
  } catch (err) {
    process.stderr.write(`ui-extension build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
