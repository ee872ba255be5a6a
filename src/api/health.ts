/**
 * The standard gRPC health service (grpc.health.v1.Health), built from its
 * published schema at run time: no generated code and no extra package.
 */
import {
  status,
  type Server,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** grpc/health/v1/health.proto as protobufjs JSON. */
export const HEALTH_SCHEMA = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: {
                    ServingStatus: {
                      values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 },
                    },
                  },
                },
                Health: {
                  methods: {
                    Check: {
                      requestType: 'HealthCheckRequest',
                      responseType: 'HealthCheckResponse',
                    },
                    Watch: {
                      requestType: 'HealthCheckRequest',
                      responseType: 'HealthCheckResponse',
                      responseStream: true,
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

export const healthPackage: protoLoader.PackageDefinition = protoLoader.fromJSON(
  HEALTH_SCHEMA as unknown as Parameters<typeof protoLoader.fromJSON>[0],
  {
    enums: String,
    defaults: true,
  },
);

type ServingStatus = 'SERVING' | 'NOT_SERVING';
interface HealthRequest {
  service: string;
}
interface HealthResponse {
  status: ServingStatus | 'SERVICE_UNKNOWN';
}

/**
 * Whether the work behind the API is being done (for the live service: its
 * consumer is consuming), and word of every change.
 */
export interface ServingSource {
  readonly serving: boolean;
  /** Calls the listener on every change; returns a function that stops that. */
  onChange(listener: (serving: boolean) => void): () => void;
}

/**
 * Serving while the server runs and its source (if any) says so, for `""`
 * (the whole server) and each named service. Watchers hear every change.
 */
export class HealthService {
  private running = true;
  private readonly watchers = new Set<ServerWritableStream<HealthRequest, HealthResponse>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly services: readonly string[],
    private readonly source?: ServingSource,
  ) {
    this.unsubscribe = source?.onChange(() => this.tell()) ?? (() => {});
  }

  addToServer(server: Server): void {
    const definition = healthPackage['grpc.health.v1.Health'] as ServiceDefinition;
    server.addService(definition, {
      Check: (
        call: ServerUnaryCall<HealthRequest, HealthResponse>,
        callback: sendUnaryData<HealthResponse>,
      ) => {
        if (!this.known(call.request.service)) {
          callback({ code: status.NOT_FOUND, details: 'unknown service' });
          return;
        }
        callback(null, { status: this.current() });
      },
      Watch: (call: ServerWritableStream<HealthRequest, HealthResponse>) => {
        call.write({
          status: this.known(call.request.service) ? this.current() : 'SERVICE_UNKNOWN',
        });
        this.watchers.add(call);
        call.on('cancelled', () => this.watchers.delete(call));
      },
    });
  }

  /** Reports NOT_SERVING to watchers and ends their streams. */
  shutdown(): void {
    this.running = false;
    this.unsubscribe();
    for (const call of this.watchers) {
      call.write({ status: 'NOT_SERVING' });
      call.end();
    }
    this.watchers.clear();
  }

  private tell(): void {
    const status = this.current();
    for (const call of this.watchers) {
      if (this.known(call.request.service)) call.write({ status });
    }
  }

  private known(service: string): boolean {
    return service === '' || this.services.includes(service);
  }

  private current(): ServingStatus {
    return this.running && (this.source?.serving ?? true) ? 'SERVING' : 'NOT_SERVING';
  }
}
