# syntax=docker/dockerfile:1
# The radar service image: `radar serve` as a non-root user, state on a volume,
# metrics and health over HTTP on 9464, the gRPC API (when configured) on 50051.
# Build: docker build -t radar .   Run: see docker-compose.yml and docs/operating.md.

ARG NODE_IMAGE=node:20.19-bookworm-slim

# Build: all dependencies, TypeScript compiled to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# leveldown loads its prebuilt binary at run time; no install script is needed.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY examples ./examples
RUN npx tsc -p tsconfig.build.json

# Runtime: production dependencies, the compiled service, the shipped rules and the proto.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The rule schema the compiled rules module imports, emitted beside it by tsc.
COPY --from=build /app/dist/rules ./dist/rules
COPY bin ./bin
COPY rules ./rules
COPY proto ./proto
# State (LevelDB) and the audit log live on the volume, owned by the unprivileged `node` user.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
WORKDIR /data
# The image's `node` user, by number so that a runtime can tell it is not root.
USER 1000:1000
ENV RADAR_DATA=/data/state \
    RADAR_HTTP_PORT=9464 \
    RADAR_HTTP_HOST=0.0.0.0
EXPOSE 9464 50051
# Liveness: the process answers. Readiness (/readyz) is for load balancers and orchestrators.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "/app/bin/healthcheck.js", "/livez"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/bin/radar"]
CMD ["serve"]
