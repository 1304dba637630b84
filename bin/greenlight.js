#!/usr/bin/env node
// The installed `greenlight` command. The TypeScript is compiled by `npm ci` (the prepare script)
// or `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/plugin/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('greenlight is not built yet: run "npm run build" in its checkout first\n');
  process.exit(1);
}
await import(entry.href);
