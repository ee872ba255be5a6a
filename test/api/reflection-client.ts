/**
 * A client of server reflection as grpcurl is one: it knows the reflection
 * protocol and nothing of the radar's schema, and learns every descriptor
 * from the server.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { create, fromBinary } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import {
  loadPackageDefinition,
  type ChannelCredentials,
  type Client,
  type ClientDuplexStream,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

export type ReflectionClient = Client & {
  ServerReflectionInfo(): ClientDuplexStream<object, ReflectionResponse>;
};

export function reflectionClient(address: string, creds: ChannelCredentials): ReflectionClient {
  const protoPath = join(
    dirname(createRequire(import.meta.url).resolve('@grpc/reflection')),
    '../proto/grpc/reflection/v1/reflection.proto',
  );
  const definition = protoLoader.loadSync(protoPath, { defaults: true });
  const pkg = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } };
  };
  return new pkg.grpc.reflection.v1.ServerReflection(address, creds) as unknown as ReflectionClient;
}

/** One request on its own stream, and its answer. */
export function ask(client: ReflectionClient, request: object): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.on('data', (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.write(request);
  });
}

export async function listServices(client: ReflectionClient): Promise<string[]> {
  const answer = await ask(client, { listServices: '*' });
  return answer.listServicesResponse!.service.map((s) => s.name).sort();
}

/** The file declaring a symbol and the files it depends on, decoded; throws if the server has none. */
export async function filesContaining(
  client: ReflectionClient,
  symbol: string,
): Promise<FileDescriptorProto[]> {
  const answer = await ask(client, { fileContainingSymbol: symbol });
  if (answer.errorResponse !== undefined)
    throw new Error(`${symbol}: ${answer.errorResponse.errorMessage}`);
  return answer.fileDescriptorResponse!.fileDescriptorProto.map((bytes) =>
    fromBinary(FileDescriptorProtoSchema, bytes),
  );
}

/** Every file that declares a listed service or one of its dependencies, once each. */
export async function reflectedFiles(client: ReflectionClient) {
  const files = new Map<string, FileDescriptorProto>();
  for (const service of await listServices(client))
    for (const file of await filesContaining(client, service)) files.set(file.name, file);
  return create(FileDescriptorSetSchema, { file: [...files.values()] });
}
