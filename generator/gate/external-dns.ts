/**
 * @module The ExternalDNS annotation prefix of each cluster. ExternalDNS v0.22 changed its default
 * from `external-dns.alpha.kubernetes.io/` to `external-dns.kubernetes.io/` with no fallback: a
 * green cluster on ≥ 0.22 whose manifests still use the old prefix ignores `aws-weight` and
 * `set-identifier` (and, with `--policy=sync`, deletes the records). The Helm chart's
 * `annotationPrefix` value (`--annotation-prefix`) pins a prefix explicitly.
 */
import type { ExternalDnsSide } from '../contract/gate.js';

export const ALPHA_PREFIX = 'external-dns.alpha.kubernetes.io/';
export const GA_PREFIX = 'external-dns.kubernetes.io/';

/** The version in an image reference or a version string (`v0.22.0`, `0.21.0-debian-12-r3`, `...:v0.22.0@sha256:...`). */
export function externalDnsVersion(imageOrVersion: string): string | undefined {
  const tag = imageOrVersion.includes(':') ? (imageOrVersion.split('@')[0]?.split(':').pop() ?? '') : imageOrVersion;
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  return m ? `v${m[1]}.${m[2]}.${m[3]}` : undefined;
}

/** The prefix an ExternalDNS reads: `--annotation-prefix` when set, else its version's default. */
export function prefixRead(version: string | undefined, flag: string | undefined): string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  const m = version === undefined ? null : /^v(\d+)\.(\d+)\./.exec(version);
  if (!m) return undefined;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 0 || minor >= 22 ? GA_PREFIX : ALPHA_PREFIX;
}

/** A reading of one cluster's ExternalDNS: found (or not), or the read failed. */
export type ExternalDnsReading = ExternalDnsSide | { readonly cluster: string; readonly error: string };

export interface PrefixJudgment {
  /** `skipped`: not read in this configuration (a note, never a hold). */
  readonly outcome: 'ok' | 'hold' | 'unknown' | 'skipped';
  readonly message: string;
  readonly evidence: Record<string, string | null>;
}

/**
 * Blue and green must read the same prefix: the same manifests go to both, and the Route 53
 * weights only reach the records if both ExternalDNS instances see the weight annotations.
 */
export function judgePrefix(blue: ExternalDnsReading, green: ExternalDnsReading): PrefixJudgment {
  const failed = [blue, green].filter((s): s is { cluster: string; error: string } => 'error' in s);
  if (failed.length > 0) {
    return { outcome: 'unknown', message: `ExternalDNS could not be read: ${failed.map((f) => `${f.cluster}: ${f.error}`).join('; ')}`, evidence: Object.fromEntries(failed.map((f) => [f.cluster, f.error])) };
  }
  const b = blue as ExternalDnsSide;
  const g = green as ExternalDnsSide;
  const evidence = {
    [`${b.cluster} version`]: b.version,
    [`${b.cluster} prefix`]: b.prefix,
    [`${b.cluster} source`]: b.source,
    [`${g.cluster} version`]: g.version,
    [`${g.cluster} prefix`]: g.prefix,
    [`${g.cluster} source`]: g.source,
  };
  const missing = [b, g].filter((s) => !s.found);
  if (missing.length > 0) {
    return { outcome: 'hold', message: `no ExternalDNS found on ${missing.map((s) => `${s.cluster} (${s.source})`).join(' and ')}: nothing writes its weighted records`, evidence };
  }
  const unread = [b, g].filter((s) => s.prefix === null);
  if (unread.length > 0) {
    return { outcome: 'unknown', message: `the annotation prefix of ExternalDNS on ${unread.map((s) => `${s.cluster} (${s.source})`).join(' and ')} cannot be told: no version in its image and no --annotation-prefix`, evidence };
  }
  if (b.prefix !== g.prefix) {
    return {
      outcome: 'hold',
      message: `ExternalDNS reads "${b.prefix}" annotations on ${b.cluster} (${b.version ?? 'version unknown'}) but "${g.prefix}" on ${g.cluster} (${g.version ?? 'version unknown'}): the same manifests lose their weight and set-identifier on one of them, and with --policy=sync its records are deleted. Pin --annotation-prefix (Helm value annotationPrefix) to the prefix your manifests use on both, or annotate with both prefixes`,
      evidence,
    };
  }
  return { outcome: 'ok', message: `ExternalDNS reads "${b.prefix}" on both clusters`, evidence };
}
