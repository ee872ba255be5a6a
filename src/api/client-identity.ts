import type { ServerUnaryCall } from '@grpc/grpc-js';

/**
 * The common name of the client certificate a call came with, or '' when
 * there is none. grpc-js reads the certificate off the connection when
 * asked, and throws (a TypeError) once the client has closed it: a call
 * still queued when its client went away is then a call without an
 * identity, refused and audited as such, not an internal error.
 */
export function peerCommonName(
  call: Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext'>,
): string {
  let subject;
  try {
    subject = call.getAuthContext()?.sslPeerCertificate?.subject;
  } catch {
    return '';
  }
  const cn: unknown = subject?.CN;
  if (Array.isArray(cn)) return typeof cn[0] === 'string' ? cn[0] : '';
  return typeof cn === 'string' ? cn : '';
}
