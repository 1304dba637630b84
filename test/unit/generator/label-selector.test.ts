import { describe, expect, it } from 'vitest';
import { describeSelector, isLabelKey, labelSelectorSchema, matchesSelector, normalizeName, toDnsLabel, toOutputKey } from '../../../generator/index.js';

const labels = { env: 'prod', 'greenlight.io/role': 'green', tier: 'web' };

describe('matchesSelector (Kubernetes semantics)', () => {
  it.each([
    [{}, true],
    [{ matchLabels: { env: 'prod' } }, true],
    [{ matchLabels: { env: 'prod', tier: 'db' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, true],
    [{ matchExpressions: [{ key: 'missing', operator: 'In', values: ['x'] }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, false],
    [{ matchExpressions: [{ key: 'greenlight.io/role', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'greenlight.io/role', operator: 'DoesNotExist' }] }, false],
  ] as const)('%j → %s', (selector, expected) => {
    expect(matchesSelector(labels, labelSelectorSchema.parse(selector))).toBe(expected);
  });

  it('does not match inherited properties', () => {
    expect(matchesSelector({}, { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] })).toBe(false);
  });

  it('prints like kubectl', () => {
    expect(
      describeSelector({
        matchLabels: { env: 'prod' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'x', operator: 'Exists' },
          { key: 'y', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('env=prod, tier in (a,b), x, !y');
  });
});

describe('label keys and values', () => {
  it.each(['env', 'greenlight.io/role', 'a.b-c_d', 'x'.repeat(63)])('accepts %s', (key) => expect(isLabelKey(key)).toBe(true));
  it.each(['', '__proto__', '-env', 'Greenlight.IO/role', 'a/b/c', 'x'.repeat(64)])('refuses %s', (key) => expect(isLabelKey(key)).toBe(false));
  it('refuses values that Kubernetes refuses', () => {
    expect(labelSelectorSchema.safeParse({ matchLabels: { env: 'has space' } }).success).toBe(false);
    expect(labelSelectorSchema.safeParse({ matchLabels: { env: '' } }).success).toBe(true);
  });
});

describe('names', () => {
  it('normalizes like the Argo CD cluster generator', () => {
    expect(normalizeName('Prod_EU.Green--')).toBe('prod-eu.green');
    expect(normalizeName('-.x.-')).toBe('x');
  });
  it('makes keys usable in both template modes', () => {
    expect(toOutputKey('aws-ebs-csi-driver')).toBe('aws_ebs_csi_driver');
    expect(toOutputKey('payments/db-password')).toBe('payments_db_password');
  });
  it('makes DNS labels', () => {
    expect(toDnsLabel('Payments_API!')).toBe('payments-api');
    expect(toDnsLabel('a'.repeat(70)).length).toBe(63);
  });
});

describe('parseSelector', () => {
  it('reads kubectl syntax', async () => {
    const { parseSelector } = await import('../../../generator/index.js');
    expect(parseSelector('env=prod, tier in (a, b),x!=y,greenlight.io/role notin (blue),legacy,!old,z==1')).toEqual({
      matchLabels: { env: 'prod', z: '1' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'x', operator: 'NotIn', values: ['y'] },
        { key: 'greenlight.io/role', operator: 'NotIn', values: ['blue'] },
        { key: 'legacy', operator: 'Exists' },
        { key: 'old', operator: 'DoesNotExist' },
      ],
    });
    expect(parseSelector('')).toEqual({});
    expect(() => parseSelector('env in prod')).toThrow('cannot read "env in prod" in the selector');
  });
});
