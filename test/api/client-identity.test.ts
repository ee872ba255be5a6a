import { describe, expect, it } from 'vitest';
import { peerCommonName } from '../../src/api/client-identity.js';

type AuthContext = ReturnType<Parameters<typeof peerCommonName>[0]['getAuthContext']>;

const callWith = (read: () => AuthContext) => ({ getAuthContext: read });
const certificateOf = (CN: unknown): AuthContext =>
  ({ transportSecurityType: 'ssl', sslPeerCertificate: { subject: { CN } } }) as AuthContext;

describe('peerCommonName', () => {
  it('is the common name of the client certificate', () => {
    expect(peerCommonName(callWith(() => certificateOf('case-system-a')))).toBe('case-system-a');
  });

  it('takes the first of several common names', () => {
    expect(peerCommonName(callWith(() => certificateOf(['first', 'second'])))).toBe('first');
  });

  it('is empty without a certificate', () => {
    expect(peerCommonName(callWith(() => ({})))).toBe('');
  });

  it('is empty once the client has closed its connection (grpc-js throws reading it)', () => {
    const closed = callWith(() => {
      throw new TypeError("Cannot read properties of null (reading 'raw')");
    });
    expect(peerCommonName(closed)).toBe('');
  });
});
