/**
 * @module Configuration: read from the environment once, at boot, into a frozen object.
 * Every problem is reported at once. `process.env` is read only by `main.ts`, which passes it here.
 */
import { z } from 'zod';

const int = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** The environment variables greenlight reads. The README's configuration table mirrors this. */
export const envSchema = z.object({
  PORT: int('PORT', 0, 65535, 4355),
  GREENLIGHT_HOST: optionalString.transform((v) => v ?? '127.0.0.1'),
  GREENLIGHT_INVENTORY: optionalString.transform((v) => v ?? 'demo'),
  GREENLIGHT_TOKEN_FILE: optionalString,
  /** @secret */
  GREENLIGHT_TOKEN: optionalString,
  GREENLIGHT_REQUEST_DEADLINE_MS: int('GREENLIGHT_REQUEST_DEADLINE_MS', 100, 28_000, 20_000),
  GREENLIGHT_MAX_BODY_BYTES: int('GREENLIGHT_MAX_BODY_BYTES', 1024, 10 * 1024 * 1024, 256 * 1024),
  GREENLIGHT_TOKEN_RELOAD_MS: int('GREENLIGHT_TOKEN_RELOAD_MS', 100, 600_000, 2_000),
  GREENLIGHT_SHUTDOWN_GRACE_MS: int('GREENLIGHT_SHUTDOWN_GRACE_MS', 0, 120_000, 10_000),
  GREENLIGHT_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .transform((v) => v ?? 'info'),
});

/** The fixed token of the bundled demo fleet. It protects nothing and is only accepted in demo mode. */
export const DEMO_TOKEN = 'greenlight-demo-token';

export type InventoryConfig = { kind: 'demo' } | { kind: 'fleet-file'; path: string };
export type TokenConfig =
  | { kind: 'file'; path: string; reloadMs: number }
  | { kind: 'static'; value: string }
  | { kind: 'demo'; value: string };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly inventory: InventoryConfig;
  readonly token: TokenConfig;
  readonly requestDeadlineMs: number;
  readonly maxBodyBytes: number;
  readonly shutdownGraceMs: number;
  readonly logLevel: string;
}

/** Thrown by `loadConfig` with every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`greenlight cannot start; fix its configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => (i.path.length > 0 && !i.message.includes(String(i.path[0])) ? `${String(i.path[0])}: ${i.message}` : i.message));
  if (!parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  let inventory: InventoryConfig;
  if (e.GREENLIGHT_INVENTORY === 'demo') inventory = { kind: 'demo' };
  else if (e.GREENLIGHT_INVENTORY === 'argocd') {
    problems.push('GREENLIGHT_INVENTORY=argocd (Argo CD cluster Secrets) is not available in this version yet; use "demo" or the path of a fleet file');
    inventory = { kind: 'demo' };
  } else inventory = { kind: 'fleet-file', path: e.GREENLIGHT_INVENTORY };

  let token: TokenConfig;
  if (e.GREENLIGHT_TOKEN_FILE !== undefined && e.GREENLIGHT_TOKEN !== undefined) {
    problems.push('set only one of GREENLIGHT_TOKEN_FILE and GREENLIGHT_TOKEN (the file, a mounted Secret, is preferred)');
    token = { kind: 'file', path: e.GREENLIGHT_TOKEN_FILE, reloadMs: e.GREENLIGHT_TOKEN_RELOAD_MS };
  } else if (e.GREENLIGHT_TOKEN_FILE !== undefined) {
    token = { kind: 'file', path: e.GREENLIGHT_TOKEN_FILE, reloadMs: e.GREENLIGHT_TOKEN_RELOAD_MS };
  } else if (e.GREENLIGHT_TOKEN !== undefined) {
    if (e.GREENLIGHT_TOKEN.trim().length < 16) problems.push('GREENLIGHT_TOKEN must be at least 16 characters');
    token = { kind: 'static', value: e.GREENLIGHT_TOKEN.trim() };
  } else if (inventory.kind === 'demo') {
    token = { kind: 'demo', value: DEMO_TOKEN };
  } else {
    problems.push('a token is required outside demo mode: set GREENLIGHT_TOKEN_FILE to a mounted Secret file (or GREENLIGHT_TOKEN)');
    token = { kind: 'demo', value: DEMO_TOKEN };
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port: e.PORT,
    host: e.GREENLIGHT_HOST,
    inventory: Object.freeze(inventory),
    token: Object.freeze(token),
    requestDeadlineMs: e.GREENLIGHT_REQUEST_DEADLINE_MS,
    maxBodyBytes: e.GREENLIGHT_MAX_BODY_BYTES,
    shutdownGraceMs: e.GREENLIGHT_SHUTDOWN_GRACE_MS,
    logLevel: e.GREENLIGHT_LOG_LEVEL,
  });
}
