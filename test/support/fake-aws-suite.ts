/** The life of one fake AWS across a wire-test file. */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { AwsCredentials } from '../../plugin/adapters/aws/aws-credentials.js';
import { fakeAwsCredentials, startFakeAws, type FakeAws } from './fake-aws.js';

/**
 * Starts one fake AWS for the file, with greenlight's credentials at it (`started` receives
 * both), clears injected faults and page settings after each test, and at the end closes the
 * adapters in `opened`, then checks that every request of every test was signed with a key the
 * fake knows and that the signature matched.
 */
export function useFakeAws(started: (fake: FakeAws, credentials: AwsCredentials) => void, opened: readonly { close(): void }[]): void {
  let fake: FakeAws | undefined;
  let credentials: AwsCredentials | undefined;
  beforeAll(async () => {
    fake = await startFakeAws();
    credentials = fakeAwsCredentials(fake);
    started(fake, credentials);
  });
  afterEach(() => {
    if (!fake) return;
    fake.clearFaults();
    fake.options.eksPageSize = undefined;
    fake.options.eksEmptyPages = undefined;
    fake.options.ssmPageSize = undefined;
    fake.options.ssmEmptyPages = undefined;
  });
  afterAll(async () => {
    for (const adapter of opened) adapter.close();
    credentials?.close();
    expect(fake?.signatureFailures).toEqual([]);
    await fake?.close();
  });
}
