import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileTokenSource } from '../../../plugin/auth/token-source.js';
import { describeSecretReference, tokensEqual } from '../../../plugin/http/middleware/bearer-auth.js';
import { createLogger } from '../../../plugin/logger.js';
import { captureLogs } from '../../support/test-app.js';
import { PATIENCE_MS } from '../../support/patience.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function until(check: () => boolean, what: string, timeoutMs = PATIENCE_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('FileTokenSource', () => {
  it('reads the token trimmed and follows a Kubernetes-style atomic swap of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-token-'));
    dirs.push(dir);
    const path = join(dir, 'token');
    writeFileSync(path, 'test-token-one-not-secret\n');
    const logs = captureLogs();
    const source = new FileTokenSource(path, 50, createLogger('info', logs.stream));
    try {
      expect(source.current()).toBe('test-token-one-not-secret');
      writeFileSync(join(dir, 'token.new'), 'test-token-two-not-secret');
      renameSync(join(dir, 'token.new'), path);
      await until(() => source.current() === 'test-token-two-not-secret', 'the new token');
      rmSync(path);
      await until(() => logs.lines().some((l) => l.includes('keeping the previous token')), 'the read error to be logged');
      expect(source.current()).toBe('test-token-two-not-secret');
      expect(logs.lines().join('\n')).not.toContain('test-token-');
    } finally {
      source.close();
    }
  });

  it('refuses an empty token file at start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-token-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'token'), '  \n');
    expect(() => new FileTokenSource(join(dir, 'token'), 1000, createLogger('silent'))).toThrow(`the token file ${join(dir, 'token')} is empty`);
  });

  it('refuses a token file shorter than 16 characters at start, as it refuses GREENLIGHT_TOKEN', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-token-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'token'), 'x\n');
    expect(() => new FileTokenSource(join(dir, 'token'), 1000, createLogger('silent'))).toThrow(`the token in the file ${join(dir, 'token')} is shorter than 16 characters`);
  });

  it('keeps the previous token, with one warning, when the file is rewritten empty or too short', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-token-'));
    dirs.push(dir);
    const path = join(dir, 'token');
    writeFileSync(path, 'test-token-one-not-secret\n');
    const logs = captureLogs();
    const source = new FileTokenSource(path, 30, createLogger('info', logs.stream));
    const warnings = () => logs.lines().filter((l) => l.includes('holds no usable token'));
    try {
      for (const [i, text] of ['x', ''].entries()) {
        writeFileSync(join(dir, 'token.new'), text);
        renameSync(join(dir, 'token.new'), path);
        await until(() => warnings().length === i + 1, `warning ${i + 1}`);
        expect(source.current()).toBe('test-token-one-not-secret');
      }
      const [warning] = warnings();
      expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 'warn', tokenFile: path, problem: `the token in the file ${path} is shorter than 16 characters` });
      // A good token afterwards takes effect; the short one was never used.
      writeFileSync(join(dir, 'token.new'), 'test-token-two-not-secret');
      renameSync(join(dir, 'token.new'), path);
      await until(() => source.current() === 'test-token-two-not-secret', 'the new token');
      expect(warnings()).toHaveLength(2);
    } finally {
      source.close();
    }
  });
});

describe('bearer helpers', () => {
  it('compares tokens of any length', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('', 'x')).toBe(false);
  });
  it('reads secret references the way Argo CD does', () => {
    expect(describeSecretReference('$plugin.greenlight.token')).toEqual({ secret: 'argocd-secret', key: 'plugin.greenlight.token' });
    // For "$my-secret:tok" Argo CD sends "$tok": greenlight only ever sees the key.
    expect(describeSecretReference('$tok')).toEqual({ secret: 'argocd-secret', key: 'tok' });
  });
});
