/**
 * Server reflection, so `grpcurl` needs no .proto files. @grpc/reflection
 * reads schemas as proto-loader package definitions: radar.proto is loaded
 * from the repository's `proto/` directory (found by walking up from this
 * module, in src/ and in dist/ alike), the health schema from health.ts.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { healthPackage } from './health.js';

const RADAR_PROTO = 'radar/v1/radar.proto';

export function findProtoRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'proto', RADAR_PROTO))) return join(dir, 'proto');
    if (dirname(dir) === dir) return undefined;
  }
}

/** Adds reflection; false when radar.proto cannot be found (the API itself still works). */
export function addReflection(server: Server): boolean {
  const root = findProtoRoot();
  if (root === undefined) return false;
  const radar = protoLoader.loadSync(RADAR_PROTO, { includeDirs: [root] });
  new ReflectionService({ ...radar, ...healthPackage }).addToServer(server);
  return true;
}
