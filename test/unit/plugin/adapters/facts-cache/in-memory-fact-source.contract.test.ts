import { factSourceContract } from '../../../../contract/fact-source.contract.js';
import { aCluster, eksFactsFor } from '../../../../support/builders.js';
import { InMemoryFactSource } from '../../../../support/in-memory-fact-source.js';

factSourceContract('in-memory', () => {
  const source = new InMemoryFactSource({ source: 'eks', facts: { green: { eks: eksFactsFor('green') } } });
  return {
    source,
    known: aCluster({ name: 'green' }),
    unrelated: aCluster({ name: 'on-prem' }),
    failing: () => aCluster({ name: 'missing' }),
    slow: () => (source.setLatency(10_000), aCluster({ name: 'green' })),
    reset: () => void source.setLatency(0).recover(),
  };
});
