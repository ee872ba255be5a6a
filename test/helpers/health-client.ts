/** A client of the standard gRPC health service, typed for the two calls the tests make. */
import {
  loadPackageDefinition,
  type ChannelCredentials,
  type Client,
  type ClientReadableStream,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { healthPackage } from '../../src/api/health.js';

export type HealthClient = Client & {
  Check(
    request: { service: string },
    done: (e: ServiceError | null, r: { status: string }) => void,
  ): void;
  Watch(request: { service: string }): ClientReadableStream<{ status: string }>;
};

export function healthClient(address: string, creds: ChannelCredentials): HealthClient {
  const Health = (
    loadPackageDefinition(healthPackage).grpc as never as {
      health: { v1: { Health: ServiceClientConstructor } };
    }
  ).health.v1.Health;
  return new Health(address, creds) as unknown as HealthClient;
}
