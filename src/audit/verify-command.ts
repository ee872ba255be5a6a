/** `radar audit verify <file>`: exit 0 when the chain holds, 1 with the first bad line. */
import type { CliIo } from '../cli/io.js';
import { verifyAuditLog } from './verify.js';

export async function auditVerifyCommand(
  path: string,
  io: Pick<CliIo, 'stdout' | 'stderr'>,
): Promise<number> {
  const result = await verifyAuditLog(path);
  if (result.ok) {
    io.stdout.write(
      `${path}: ${result.records} records, chain intact; last seq ${result.lastSeq}, hash ${result.lastHash}\n`,
    );
    return 0;
  }
  io.stderr.write(`${path}:${result.line}: ${result.reason}\n`);
  return 1;
}
