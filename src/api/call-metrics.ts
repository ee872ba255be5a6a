/**
 * What the API tells whoever counts its calls: method, gRPC status name and
 * time, and each audit record's outcome. Nothing about who called or what
 * was read.
 */
export interface ApiMetrics {
  /** A radar.v1.RadarService call ended; a watch when its stream ends. */
  call(method: string, code: string, seconds: number): void;
  /** An audit record was appended (fsynced). */
  audited(outcome: string): void;
}
