/**
 * One Admin client for the length of one admin subcommand: the whole operation is bounded by
 * --timeout (withTimeout), and the client is closed afterwards whether it succeeded or not (a
 * failed close is ignored: the command's own outcome is what the user needs to see).
 */
import { Admin } from '../../client/admin/admin.js';
import { type CliContext, withTimeout } from './context.js';

export async function withAdmin<T>(ctx: CliContext, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(ctx.clientOptions);
  try {
    return await withTimeout(ctx, 'waiting for the cluster', fn(admin));
  } finally {
    await admin.close().catch(() => {});
  }
}
