/**
 * Server reflection, so `grpcurl` needs no .proto files. It hands out the
 * descriptors protoc would make of the .proto files (see file-descriptors.ts):
 * radar.proto from the repository's `proto/` directory (found by walking up
 * from this module, in src/ and in dist/ alike), and the health schema of
 * health.ts under the name of the published file it copies.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import protobuf from 'protobufjs';
import { encodeFileDescriptor, fileDescriptors } from './file-descriptors.js';
import { HEALTH_SCHEMA } from './health.js';

const RADAR_PROTO = 'radar/v1/radar.proto';
const HEALTH_PROTO = 'grpc/health/v1/health.proto';

export function findProtoRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'proto', RADAR_PROTO))) return join(dir, 'proto');
    if (dirname(dir) === dir) return undefined;
  }
}

/** radar.proto and what it imports, each file named as protoc names it: by its path under `proto/`. */
export function radarFileDescriptors(protoRoot: string): FileDescriptorProto[] {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protoRoot, target);
  root.loadSync(RADAR_PROTO, { keepCase: true });
  root.resolveAll();
  return fileDescriptors(root, (file) => relative(protoRoot, file).split(sep).join('/'));
}

export function healthFileDescriptors(): FileDescriptorProto[] {
  const root = protobuf.Root.fromJSON(HEALTH_SCHEMA as unknown as protobuf.INamespace);
  root.resolveAll();
  return fileDescriptors(root, () => HEALTH_PROTO);
}

/** Adds reflection; false when radar.proto cannot be found (the API itself still works). */
export function addReflection(server: Server): boolean {
  const root = findProtoRoot();
  if (root === undefined) return false;
  const files = [...radarFileDescriptors(root), ...healthFileDescriptors()];
  // @grpc/reflection reads nothing of a package definition but the encoded
  // files of its entries: one entry a file gives it exactly these.
  const definition = Object.fromEntries(
    files.map((file) => [
      file.name,
      { fileDescriptorProtos: [Buffer.from(encodeFileDescriptor(file))] },
    ]),
  ) as unknown as PackageDefinition;
  new ReflectionService(definition).addToServer(server);
  return true;
}
