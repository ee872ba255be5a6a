/** The one error-to-status mapper, and failing closed when the audit log cannot be written. */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, startApiServer, toStatus } from '../../src/api/index.js';
import { AuditError, AuditLog } from '../../src/audit/index.js';
import { GetHouseholdRequest } from '../../src/gen/radar/v1/radar.js';
import { client, failure, Fixture, makePki, scenarioSignals, unary } from './helpers.js';

describe('toStatus', () => {
  it('maps domain errors by code and keeps the field', () => {
    const st = toStatus(new ApiError('INVALID_REQUEST', 'bsn: fails the elfproef', 'bsn'));
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    expect(st.metadata.get('x-radar-field')).toEqual(['bsn']);
    expect(toStatus(new ApiError('HOUSEHOLD_NOT_FOUND', 'household not found')).code).toBe(
      status.NOT_FOUND,
    );
    expect(toStatus(new ApiError('MISSING_CALL_CONTEXT', 'x')).code).toBe(status.UNAUTHENTICATED);
    expect(toStatus(new ApiError('UNKNOWN_CLIENT', 'x')).code).toBe(status.PERMISSION_DENIED);
  });

  it('fails closed on audit errors and says nothing about unexpected ones', () => {
    expect(toStatus(new AuditError('AUDIT_WRITE_FAILED', 'disk full')).code).toBe(
      status.UNAVAILABLE,
    );
    const internal = toStatus(new Error('record V-1 of /var/lib/radar broke'));
    expect(internal).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
  });
});

describe('an API whose audit log cannot be written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'radar-closed-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('answers no read', async () => {
    const pki = makePki(dir, ['vt09-case-system']);
    const fixture = await Fixture.create();
    await fixture.ingest(await scenarioSignals('01-one-family-three-sources.ndjson'));
    const audit = await AuditLog.open(join(dir, 'audit.ndjson'));
    const server = await startApiServer({
      state: fixture.state,
      tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca },
      clients: { 'vt09-case-system': ['VT09'] },
      auditLog: audit,
      host: '127.0.0.1',
    });
    const c = client(pki, server.port, 'vt09-case-system');
    const request = GetHouseholdRequest.fromPartial({ bsn: '111222333' });
    await expect(unary(c.getHousehold.bind(c), request)).resolves.toBeDefined();
    await audit.close();
    expect(await failure(unary(c.getHousehold.bind(c), request))).toMatchObject({
      code: status.UNAVAILABLE,
      errorCode: 'AUDIT_LOG_CLOSED',
    });
    c.close();
    await server.stop();
  }, 60_000);
});
