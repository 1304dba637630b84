#!/usr/bin/env node
// Runs before `npm test`: the browser tests drive Debian's chromium (never a downloaded browser).
// Finds it, or installs it with apt-get when this user can (root on Debian, as on CI machines);
// otherwise says how, and the browser tests then fail with the same advice.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (existsSync(CHROMIUM)) process.exit(0);

const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (!canApt) {
  process.stderr.write(`greenlight: the browser tests need Debian's chromium at ${CHROMIUM}: run "sudo apt-get install chromium" first\n`);
  process.exit(0);
}
process.stderr.write('greenlight: installing Debian\'s chromium for the browser tests (apt-get install chromium)...\n');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
