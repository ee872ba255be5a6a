import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { runInitialLoad } from '../../src/service/initial-load-process.js';

describe('runInitialLoad', () => {
  it('ends its process and says why when the load fails', async () => {
    const config = { ...DEFAULTS, rules: '/nonexistent/rules.yaml' };
    const failed = runInitialLoad(config, createLogger('silent'), new Date());
    await expect(failed).rejects.toMatchObject({
      code: 'INITIAL_LOAD_FAILED',
      message: expect.stringContaining('rules.yaml') as unknown,
    });
  });
});
