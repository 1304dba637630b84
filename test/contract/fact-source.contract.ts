/**
 * @module The contract every `FactSource` honours, run against each implementation (EKS and
 * SSM over the local fake AWS, in-memory fakes, the fleet file) so that fakes cannot drift
 * from the real adapters:
 * - facts parse with `clusterFactsSchema` and are not empty;
 * - `appliesTo` says yes to a cluster the source knows and no to one it does not;
 * - failures reject with a `GreenlightError` whose message names the cluster and the source;
 * - an aborted signal makes `fetch` reject promptly (already aborted, or aborted mid-call).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clusterFactsSchema, GreenlightError, type ClusterRecord, type FactSource } from '../../generator/index.js';

/** What an implementation provides to run the contract. */
export interface FactSourceFixture {
  readonly source: FactSource;
  /** A cluster the source applies to and answers for. */
  readonly known: ClusterRecord;
  /** A cluster the source does not apply to; omit when it applies to every cluster. */
  readonly unrelated?: ClusterRecord;
  /** Arranges for the next fetch of the returned cluster to fail (an upstream fault, a missing cluster). */
  failing(): ClusterRecord | Promise<ClusterRecord>;
  /**
   * Arranges for the next fetch of the returned cluster to answer (successfully) only after a long
   * delay (≥ 5 s). A cancelled fetch that rejects at all was cut short: one that waited for the
   * upstream would resolve. No wall-clock margin is needed.
   */
  slow(): ClusterRecord | Promise<ClusterRecord>;
  /** Undoes what `failing`/`slow` arranged, between tests. */
  reset?(): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** Registers the contract tests for one `FactSource` implementation. */
export function factSourceContract(name: string, make: () => FactSourceFixture | Promise<FactSourceFixture>): void {
  describe(`FactSource contract: ${name}`, () => {
    let fixture: FactSourceFixture;

    beforeAll(async () => {
      fixture = await make();
    });
    afterAll(async () => {
      await fixture?.close?.();
    });

    const reset = async () => {
      await fixture.reset?.();
    };

    test('facts of a known cluster parse with clusterFactsSchema and hold something', async () => {
      await reset();
      const facts = await fixture.source.fetch(fixture.known, new AbortController().signal);
      const parsed = clusterFactsSchema.strict().safeParse(facts);
      expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
      expect(Object.keys(facts).length).toBeGreaterThan(0);
    });

    test('the same cluster gives the same facts twice', async () => {
      await reset();
      const first = await fixture.source.fetch(fixture.known, new AbortController().signal);
      const second = await fixture.source.fetch(fixture.known, new AbortController().signal);
      expect(second).toEqual(first);
    });

    test('appliesTo says yes to a known cluster and no to an unrelated one', () => {
      expect(fixture.source.appliesTo(fixture.known)).toBe(true);
      if (fixture.unrelated) expect(fixture.source.appliesTo(fixture.unrelated)).toBe(false);
    });

    test('a failure rejects with a GreenlightError naming the cluster and the source', async () => {
      await reset();
      const cluster = await fixture.failing();
      const err = await fixture.source.fetch(cluster, new AbortController().signal).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, 'fetch should have rejected').toBeInstanceOf(GreenlightError);
      const message = (err as GreenlightError).message;
      expect(message).toContain(cluster.name);
      expect(message.toLowerCase()).toContain(fixture.source.source);
      await reset();
    });

    test('an already aborted signal rejects promptly with a GreenlightError naming the cluster', async () => {
      await reset();
      const cluster = await fixture.slow();
      const controller = new AbortController();
      controller.abort(new Error('deadline'));
      const err = await fixture.source.fetch(cluster, controller.signal).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GreenlightError);
      expect((err as GreenlightError).message).toContain(cluster.name);
      await reset();
    });

    test('aborting mid-fetch rejects promptly with a GreenlightError naming the cluster and the source', async () => {
      await reset();
      const cluster = await fixture.slow();
      const controller = new AbortController();
      const pending = fixture.source.fetch(cluster, controller.signal).then(
        () => undefined,
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort(new Error('deadline'));
      const err = await pending;
      expect(err).toBeInstanceOf(GreenlightError);
      const message = (err as GreenlightError).message;
      expect(message).toContain(cluster.name);
      expect(message.toLowerCase()).toContain(fixture.source.source);
      await reset();
    });
  });
}
