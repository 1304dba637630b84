/** The pure parts of the CLI's conventions: "did you mean", -o parsing, progress reports. */
import { describe, expect, it } from 'vitest';
import type { Io } from '../../../../plugin/cli/io.js';
import { withProgress } from '../../../../plugin/cli/live-access.js';
import { formatStructured, parseOutput } from '../../../../plugin/cli/output.js';
import { closestWords, didYouMean, editDistance } from '../../../../plugin/cli/suggest.js';
import { eventually } from '../../../support/patience.js';

describe('did you mean', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('dmeo', 'demo')).toBe(1);
    expect(editDistance('pari', 'pair')).toBe(1);
    expect(editDistance('previw', 'preview')).toBe(1);
    expect(editDistance('nope', 'role')).toBe(2);
  });

  it('suggests the nearest words only, and nothing when nothing is near', () => {
    expect(closestWords('--pari', ['--pair', '--var', '--role'])).toEqual(['--pair']);
    expect(closestWords('--nope', ['--pair', '--var', '--role'])).toEqual([]);
    expect(closestWords('prev', ['preview', 'readiness'])).toEqual(['preview']);
    expect(didYouMean('help', ['help', 'weight'])).toBe('; did you mean "help"?');
    expect(didYouMean('xyz', ['preview'])).toBe('');
    expect(didYouMean('rol', ['role', 'roll'])).toBe('; did you mean "role" or "roll"?');
  });
});

describe('-o', () => {
  it('takes text, json and yaml, and the aliases a command keeps', () => {
    expect(parseOutput(undefined)).toBe('text');
    expect(parseOutput('yaml')).toBe('yaml');
    expect(parseOutput('table', { table: 'text' })).toBe('text');
    expect(() => parseOutput('table')).toThrow('--output is text, json or yaml, got "table"');
    expect(formatStructured('yaml', [{ a: '1' }, { b: '2' }], { stream: true })).toBe('a: "1"\n---\nb: "2"\n');
    expect(formatStructured('json', { a: 1 })).toBe('{\n  "a": 1\n}\n');
  });
});

describe('progress', () => {
  /** Runs a wait that ends once `reports` progress writes were seen; returns what stderr got. */
  async function waitWith(progress: Io['progress'], reports: number): Promise<string[]> {
    const written: string[] = [];
    let release: () => void = () => {};
    const work = new Promise<string>((resolve) => (release = () => resolve('done')));
    const io: Io = { out: () => {}, err: (t) => void written.push(t), progress };
    const waiting = withProgress(io, 'the Kubernetes API at https://127.0.0.1:6443', work, 0);
    if (reports > 0) await eventually(() => expect(written.length).toBeGreaterThanOrEqual(reports));
    release();
    expect(await waiting).toBe('done');
    return written;
  }

  it('rewrites one line on a terminal and clears it when the wait ends', async () => {
    const written = await waitWith('rewrite', 1);
    expect(written[0]).toMatch(/^\r\x1b\[2Kgreenlight: waiting for the Kubernetes API at https:\/\/127\.0\.0\.1:6443 \(\d+ s\)$/);
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });

  it('writes a line per report elsewhere, when asked to', async () => {
    const written = await waitWith('lines', 1);
    expect(written.length).toBeGreaterThanOrEqual(1);
    for (const line of written) expect(line).toMatch(/^greenlight: waiting for the Kubernetes API at https:\/\/127\.0\.0\.1:6443 \(\d+ s\)\n$/);
  });

  it('says nothing when progress is off', async () => {
    expect(await waitWith(undefined, 0)).toEqual([]);
  });
});
