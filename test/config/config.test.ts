import { describe, expect, it } from 'vitest';
import { configFromEnv, DEFAULTS, requireBrokers, resolveConfig } from '../../src/config/config.js';

describe('settings', () => {
  it('overlays file, environment and flags on the defaults, later layers winning', () => {
    const config = resolveConfig(
      { dataDir: '/from/file', kafka: { groupId: 'file-group' } },
      configFromEnv({ KAFKA_BROKERS: ' a:1, b:2 ', RADAR_DATA: '/from/env' }),
      { kafka: { groupId: 'flag-group' } },
    );
    expect(config.dataDir).toBe('/from/env');
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.kafka.groupId).toBe('flag-group');
    expect(config.kafka.topics).toEqual(DEFAULTS.kafka.topics);
  });

  it('reports every bad setting at once, by its path', () => {
    try {
      resolveConfig({
        kafka: { brokers: ['no-port'], partitions: 0 },
        households: { institutionalAddresses: ['1234 ab|1||'] },
        unknownSetting: true,
      } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      const message = (error as Error).message;
      for (const path of [
        'kafka.brokers.0',
        'kafka.partitions',
        'households.institutionalAddresses.0',
        "'unknownSetting'",
      ]) {
        expect(message).toContain(path);
      }
    }
  });

  it('takes a produce chunk size and restart policy, and refuses a chunk too small for an abridged event', () => {
    const config = resolveConfig({
      kafka: { maxProduceBytes: 100_000, restart: { maxCrashes: 0 } },
    });
    expect(config.kafka.maxProduceBytes).toBe(100_000);
    expect(config.kafka.restart).toEqual({ ...DEFAULTS.kafka.restart, maxCrashes: 0 });
    expect(() =>
      resolveConfig({ kafka: { maxProduceBytes: 1000, restart: { windowMs: 10 } } }),
    ).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/kafka\.maxProduceBytes[^]*kafka\.restart\.windowMs/),
      }),
    );
  });

  it('takes a batch size within a few signals and one fetch request', () => {
    expect(DEFAULTS.kafka.maxBatchBytes).toBe(256 * 1024);
    expect(resolveConfig({ kafka: { maxBatchBytes: 1 << 20 } }).kafka.maxBatchBytes).toBe(1 << 20);
    for (const maxBatchBytes of [1000, 64 * 1024 * 1024, 100_000.5]) {
      expect(() => resolveConfig({ kafka: { maxBatchBytes } })).toThrow(
        expect.objectContaining({
          code: 'CONFIG_INVALID',
          message: expect.stringMatching(/kafka\.maxBatchBytes/),
        }),
      );
    }
  });

  it('requires mutual TLS files for the API unless insecure is explicit', () => {
    expect(() => resolveConfig({ api: { enabled: true } })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/api\.tls/),
      }),
    );
    expect(resolveConfig({ api: { enabled: true, insecure: true } }).api.insecure).toBe(true);
  });

  it('lets a backtest read the file without brokers, but not the service', () => {
    const config = resolveConfig({});
    expect(() => requireBrokers(config)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() =>
      requireBrokers(resolveConfig(configFromEnv({ KAFKA_BROKERS: 'k:9092' }))),
    ).not.toThrow();
  });

  it('enables the HTTP endpoint from the environment and validates it and the shutdown timeout', () => {
    expect(resolveConfig({}).http.enabled).toBe(false);
    const config = resolveConfig(
      configFromEnv({
        RADAR_HTTP_PORT: '9100',
        RADAR_HTTP_HOST: '0.0.0.0',
        RADAR_SHUTDOWN_TIMEOUT_MS: '20000',
      }),
    );
    expect(config.http).toEqual({ ...DEFAULTS.http, enabled: true, port: 9100, host: '0.0.0.0' });
    expect(config.shutdown.timeoutMs).toBe(20_000);
    expect(() =>
      resolveConfig(configFromEnv({ RADAR_HTTP_PORT: 'nine', RADAR_SHUTDOWN_TIMEOUT_MS: '5' }), {
        http: { readyMaxLag: -1, lagIntervalMs: 10 },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(
          /http\.port[^]*http\.readyMaxLag[^]*http\.lagIntervalMs[^]*shutdown\.timeoutMs/,
        ),
      }),
    );
  });
});
