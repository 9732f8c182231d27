// An operator proving who they are without TLS: the CLI acts on the store directly, so it holds
// the officer's certificate and private key itself. The certificate must chain to the hub's CA,
// be an operator certificate, be valid now, and match the key (so holding a copy of someone's
// certificate proves nothing). The registry then checks that it is recorded for that officer and
// not revoked (Registry.authenticateOfficer), as it does for an operator's gRPC call.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { type PeerIdentity, peerIdentity } from './peer-identity.ts';

export function verifyOperatorCertificate(caPem: string, certificatePem: string, keyPem: string, now = new Date()): PeerIdentity {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new Error('the operator certificate is not a PEM certificate');
  }
  if (!certificate.verify(new X509Certificate(caPem).publicKey))
    throw new Error("the operator certificate was not issued by this hub's certificate authority");
  let matches = false;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw new Error('the operator key is not a PEM private key');
  }
  if (!matches) throw new Error('the private key does not belong to the operator certificate');
  const identity = peerIdentity(certificate.toLegacyObject());
  if (identity === null || identity.kind !== 'operator')
    throw new Error('the certificate is not an operator certificate (`dancu pki issue <officer> --operator`)');
  if (new Date(certificate.validFrom) > now || (identity.notAfter && identity.notAfter <= now))
    throw new Error(`the operator certificate of ${identity.id} is not valid now (${certificate.validFrom} – ${certificate.validTo})`);
  return identity;
}
