/** The gRPC API for case systems: radar.v1.RadarService with need to know and an audit record per call. */
export {
  startApiServer,
  SERVICE_NAME,
  USER_HEADER,
  PURPOSE_HEADER,
  CLIENT_HEADER,
  type ApiServer,
  type ApiServerOptions,
  type ApiTls,
} from './server.js';
export type { ApiState, Access } from './read-model.js';
export { ApiError, type ApiErrorCode } from './errors.js';
export { toStatus } from './status.js';
