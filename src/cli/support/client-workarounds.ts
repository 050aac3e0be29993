/**
 * Workarounds for client-library bugs the CLI hits, in one place so each can be deleted once the
 * client is fixed.
 *
 * Version-split request fields: the client fills in both the old and the new shape of a request
 * (FindCoordinator `key` for v0-3 and `coordinatorKeys` for v4+; LeaveGroup `memberId` for v0-2
 * and `members` for v3+), but the generated encoders reject a field set outside its versions
 * ("FindCoordinatorRequest.key is not supported in version 6"). Against a broker that negotiates
 * the new versions, every group lookup fails and a consumer's LeaveGroup on close fails silently
 * (so the next member of the group waits a whole session timeout). This clears the field the
 * negotiated version does not have, on every connection of this process.
 */
import { Connection } from '../../client/net/connection.js';
import { ApiKeys } from '../../protocol/messages/index.js';

let installed = false;

type Body = Record<string, unknown>;

function fixBody(apiKey: number, version: number, body: Body): Body {
  if (apiKey === ApiKeys.FindCoordinator) {
    const keys = (body.coordinatorKeys as string[] | undefined) ?? [];
    const key = (body.key as string | undefined) || keys[0] || '';
    return version >= 4
      ? { ...body, key: '', coordinatorKeys: keys.length > 0 ? keys : [key] }
      : { ...body, key, coordinatorKeys: [] };
  }
  if (apiKey === ApiKeys.LeaveGroup) {
    const members = (body.members as Array<{ memberId: string; groupInstanceId: string | null }> | undefined) ?? [];
    const memberId = (body.memberId as string | undefined) || members[0]?.memberId || '';
    return version >= 3
      ? { ...body, memberId: '', members: members.length > 0 ? members : [{ memberId, groupInstanceId: null }] }
      : { ...body, memberId, members: [] };
  }
  return body;
}

export function installClientWorkarounds(): void {
  if (installed) return;
  installed = true;
  const original = Connection.prototype.request;
  Connection.prototype.request = function (
    this: Connection,
    apiKey: number,
    body: unknown,
    options: Parameters<Connection['request']>[2] = {},
  ) {
    if (
      (apiKey === ApiKeys.FindCoordinator || apiKey === ApiKeys.LeaveGroup) &&
      body !== null &&
      typeof body === 'object'
    ) {
      const version = options.version ?? this.versionOf(apiKey);
      if (version !== undefined) body = fixBody(apiKey, version, body as Body);
    }
    return original.call(this, apiKey, body, options);
  } as Connection['request'];
}
