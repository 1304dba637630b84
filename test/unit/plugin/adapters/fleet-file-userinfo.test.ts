import { describe, expect, it } from 'vitest';
import { parseFleet } from '../../../../plugin/adapters/fleet-file/fleet-file-inventory.js';

const fleet = (server: string) => `apiVersion: greenlight.io/v1alpha1\nkind: Fleet\nclusters:\n  - name: a\n    server: ${server}\n`;

describe('a fleet file server', () => {
  it('with a user name or password is refused without repeating them', () => {
    let message = '';
    try {
      parseFleet(fleet('https://canary-user:CANARY-PASSWORD-0000@kube.example.com'), 'fleet.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'fleet.yaml is not a valid fleet file: clusters.0.server: must not carry a user name or password (https://user:password@host): greenlight does not use or show them; remove them',
    );
    expect(message).not.toMatch(/canary-user|CANARY-PASSWORD/);
  });

  it('without one is read as written', () => {
    expect(parseFleet(fleet('https://kube.example.com/'), 'fleet.yaml').clusters[0]?.server).toBe('https://kube.example.com/');
  });
});
