/**
 * A throwaway PKI for development, tests and benchmarks: a CA, a server
 * certificate for localhost, client certificates whose subject CN is the
 * client identity, and one client signed by another CA. Made with the
 * openssl command; never for production, where the organisations' own PKI
 * issues the certificates.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pem {
  key: Buffer;
  cert: Buffer;
}

export interface DevPki {
  ca: Buffer;
  server: Pem;
  /** Keyed by subject CN. */
  clients: Record<string, Pem>;
  /** A client whose certificate another CA signed. */
  stranger: Pem;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** `openssl req` arguments for a new P-256 key `<name>.key` with subject CN `cn`. */
function newKey(name: string, cn: string): string[] {
  return [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-subj',
    `/CN=${cn}`,
  ];
}

function issue(dir: string, name: string, cn: string, caName: string, extensions: string): Pem {
  openssl(dir, [...newKey(name, cn), '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${caName}.crt`,
    '-CAkey',
    `${caName}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
  return {
    key: readFileSync(join(dir, `${name}.key`)),
    cert: readFileSync(join(dir, `${name}.crt`)),
  };
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [...newKey(name, name), '-x509', '-days', '2', '-out', `${name}.crt`]);
}

export function makePki(dir: string, clientNames: readonly string[]): DevPki {
  makeCa(dir, 'radar-dev-ca');
  makeCa(dir, 'other-ca');
  const server = issue(
    dir,
    'server',
    'localhost',
    'radar-dev-ca',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  const clients: Record<string, Pem> = {};
  for (const cn of clientNames)
    clients[cn] = issue(dir, cn, cn, 'radar-dev-ca', 'extendedKeyUsage=clientAuth\n');
  const stranger = issue(
    dir,
    'stranger',
    'vt09-case-system',
    'other-ca',
    'extendedKeyUsage=clientAuth\n',
  );
  return { ca: readFileSync(join(dir, 'radar-dev-ca.crt')), server, clients, stranger };
}
