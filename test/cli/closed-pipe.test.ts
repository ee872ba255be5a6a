import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RADAR = fileURLToPath(new URL('../../bin/radar.js', import.meta.url));

describe('radar writing into a pipe its reader closes early', () => {
  it('stops quietly with exit 0, as `radar generate | head` expects', async () => {
    const child = spawn(process.execPath, [RADAR, 'generate', '--count', '200000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
