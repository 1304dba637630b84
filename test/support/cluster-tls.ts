/**
 * @module TLS for the fake cluster APIs of process-level tests: greenlight sends no token over
 * plain http:// and an EKS token only to a server that proves to be the cluster, so the fakes
 * serve a test certificate, the cluster Secrets pin its CA, and the fake EKS reports that CA.
 * One throwaway PKI per test file, made on first use (needs the openssl command).
 */
import { b64, makeTestPki, type TestPki } from './fake-kube-apiserver.js';

let pki: TestPki | undefined;

function testPki(): TestPki {
  pki ??= makeTestPki();
  return pki;
}

/** `tls` for `FakeKubeApiServer.start` (and the fault proxy): a certificate for 127.0.0.1. */
export function clusterTls(): { key: string; cert: string } {
  return { key: testPki().serverKey, cert: testPki().serverCert };
}

/** base64 of the CA's PEM: the Secret's `tlsClientConfig.caData`, and EKS's `certificateAuthority.data`. */
export function clusterCaData(): string {
  return b64(testPki().caCert);
}
