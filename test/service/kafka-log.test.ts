import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log/logger.js';
import { kafkaLogCreator } from '../../src/service/kafka-log.js';

function recording(): { log: Logger; levels: string[] } {
  const levels: string[] = [];
  const at = (level: string) => () => levels.push(level);
  const log = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
  return { log: log as unknown as Logger, levels };
}

describe('kafkajs logs in the service log', () => {
  it('keeps errors, but not those kafkajs retries while a fresh broker elects its coordinators', () => {
    const { log, levels } = recording();
    const write = kafkaLogCreator(log)(logLevel.DEBUG);
    const entry = (error: string) => ({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: '', message: 'Response GroupCoordinator', error },
    });
    write(entry("The coordinator is loading and hence can't process requests for this group"));
    write(entry('The group coordinator is not available'));
    write(entry('Connection timeout'));
    expect(levels).toEqual(['debug', 'debug', 'error']);
  });
});
