/**
 * `vltava groups list|describe|delete|reset-offsets|delete-offsets` — kafka-consumer-groups.sh.
 *
 * describe shows, per partition, the committed offset, log end offset, lag and the member that
 * owns it (Kafka's default --offsets view), plus the group's state; --members lists members with
 * their assignments. reset-offsets is a dry run unless --execute is given and, like Kafka, is
 * refused while the group has active members (their next commit would undo the reset).
 */
import type { Command } from 'commander';
import type { Admin } from '../../client/admin/admin.js';
import type { GroupDescription, PartitionLag } from '../../client/admin/groups.js';
import { KafkaError } from '../../client/errors.js';
import { withAdmin } from '../support/admin.js';
import { action, collect, examples } from '../support/command.js';
import {
  addConnectionOptions,
  type ConnectionFlags,
  resolveContext,
} from '../support/context.js';
import { CliError, usageError } from '../support/errors.js';
import { executeReset, parseTopicPartitions, planReset, type ResetFlags, resetSpec } from './groups-reset.js';

interface GroupFlags extends ConnectionFlags, ResetFlags {
  group?: string[] | string;
  allGroups?: boolean;
  topic?: string[];
  allTopics?: boolean;
  members?: boolean;
  state?: boolean;
  execute?: boolean;
  dryRun?: boolean;
}

function groupIds(flags: GroupFlags, args: string[] = []): string[] {
  const given = typeof flags.group === 'string' ? [flags.group] : (flags.group ?? []);
  return [...given.flatMap((g) => g.split(',')), ...args].map((g) => g.trim()).filter((g) => g !== '');
}

async function list(flags: GroupFlags): Promise<void> {
  const ctx = await resolveContext(flags);
  const groups = await withAdmin(ctx, (admin) => admin.listGroups());
  if (ctx.out.json)
    ctx.out.document(groups.map((g) => ({ group: g.groupId, protocolType: g.protocolType, state: g.state })));
  else if (flags.state)
    ctx.out.table(
      ['GROUP', 'STATE'],
      groups.map((g) => [g.groupId, g.state]),
    );
  else for (const g of groups) ctx.out.line(g.groupId);
}

interface GroupReport {
  group: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    host: string;
    assignment: Array<{ topic: string; partition: number }>;
  }>;
  offsets: Array<PartitionLag & { clientId: string | null; host: string | null }>;
  totalLag: number;
}

function report(d: GroupDescription, lag: PartitionLag[]): GroupReport {
  const byMember = new Map(d.members.map((m) => [m.memberId, m]));
  return {
    group: d.groupId,
    state: d.state,
    protocolType: d.protocolType,
    protocol: d.protocol,
    members: d.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: m.assignment.map((a) => ({ topic: a.topic, partition: a.partition })),
    })),
    offsets: lag.map((l) => {
      const m = l.memberId === null ? undefined : byMember.get(l.memberId);
      return { ...l, clientId: m?.clientId ?? null, host: m?.clientHost ?? null };
    }),
    totalLag: lag.reduce((s, l) => s + l.lag, 0),
  };
}

async function describe(args: string[], flags: GroupFlags): Promise<void> {
  let ids = groupIds(flags, args);
  if (ids.length === 0 && !flags.allGroups) throw usageError('name a group (--group <id>) or use --all-groups');
  const ctx = await resolveContext(flags);
  const reports = await withAdmin(ctx, async (admin) => {
    if (flags.allGroups) ids = (await admin.listGroups()).map((g) => g.groupId);
    const out: GroupReport[] = [];
    for (const id of ids) {
      const [d] = await admin.describeGroups([id]);
      // Kafka answers DescribeGroups for an unknown id with state Dead and no members.
      if (d!.state === 'Dead') throw new CliError(`consumer group '${id}' does not exist`);
      out.push(report(d!, await admin.describeGroupLag(id)));
    }
    return out;
  });
  if (ctx.out.json) {
    ctx.out.document(reports);
    return;
  }
  const c = ctx.out.colors;
  reports.forEach((r, i) => {
    if (i > 0) ctx.out.line();
    ctx.out.line(
      `${c.bold('Group:')} ${r.group}  State: ${r.state}  Protocol: ${r.protocol || '-'}  Members: ${r.members.length}  TotalLag: ${r.totalLag}`,
    );
    if (flags.state) return;
    if (flags.members) {
      ctx.out.table(
        ['CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', 'ASSIGNMENT'],
        r.members.map((m) => [m.memberId, m.host, m.clientId, m.assignment.length, compactAssignment(m.assignment)]),
      );
      return;
    }
    if (r.members.length === 0) ctx.out.line(c.dim(`Consumer group '${r.group}' has no active members.`));
    ctx.out.table(
      ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
      r.offsets.map((o) => [
        o.topic,
        o.partition,
        o.committedOffset < 0 ? '-' : o.committedOffset,
        o.logEndOffset,
        o.lag > 0 ? c.yellow(String(o.lag)) : o.lag,
        o.memberId,
        o.host,
        o.clientId,
      ]),
    );
  });
}

/** orders(0,1,2) payments(3): short enough for a table cell. */
function compactAssignment(a: Array<{ topic: string; partition: number }>): string {
  const by = new Map<string, number[]>();
  for (const tp of a) by.set(tp.topic, [...(by.get(tp.topic) ?? []), tp.partition]);
  return [...by].map(([t, ps]) => `${t}(${ps.sort((x, y) => x - y).join(',')})`).join(' ');
}

async function remove(args: string[], flags: GroupFlags): Promise<void> {
  const ids = groupIds(flags, args);
  if (ids.length === 0) throw usageError('name the group to delete: --group <id>');
  const ctx = await resolveContext(flags);
  await withAdmin(ctx, async (admin) => {
    for (const id of ids) {
      try {
        await admin.deleteGroups([id]);
      } catch (err) {
        if (err instanceof KafkaError && err.name === 'GROUP_ID_NOT_FOUND')
          throw new CliError(`consumer group '${id}' does not exist`);
        if (err instanceof KafkaError && err.name === 'NON_EMPTY_GROUP')
          throw new CliError(`consumer group '${id}' has active members; stop them before deleting it`);
        throw err;
      }
    }
  });
  if (ctx.out.json) ctx.out.document(ids.map((group) => ({ group, deleted: true })));
  else for (const id of ids) ctx.out.line(`Deleted consumer group '${id}'.`);
}

/** Kafka refuses to touch offsets of a group with live members; so do we, before planning. */
async function requireInactive(admin: Admin, groupId: string, what: string): Promise<void> {
  const [d] = await admin.describeGroups([groupId]);
  if (d!.members.length > 0 || (d!.state !== 'Empty' && d!.state !== 'Dead')) {
    throw new CliError(
      `${what} only works on an inactive group, but '${groupId}' is ${d!.state} with ${d!.members.length} active member(s); stop its consumers first`,
    );
  }
}

async function resetOffsets(flags: GroupFlags): Promise<void> {
  const ids = groupIds(flags);
  if (ids.length !== 1) throw usageError('reset-offsets needs exactly one --group <id>');
  const groupId = ids[0]!;
  if ((flags.topic === undefined) === !flags.allTopics)
    throw usageError('give --topic <topic[:partitions]> (repeatable) or --all-topics');
  if (flags.execute && flags.dryRun) throw usageError('--execute and --dry-run cannot be used together');
  const spec = resetSpec(flags);
  const topicArgs = (flags.topic ?? []).map(parseTopicPartitions);
  const ctx = await resolveContext(flags);
  const plan = await withAdmin(ctx, async (admin) => {
    await requireInactive(admin, groupId, 'resetting offsets');
    // --all-topics means the partitions the group has committed offsets for, as in Kafka.
    const targets = flags.allTopics ? committedPartitions(await admin.fetchOffsets(groupId)) : topicArgs;
    if (targets.length === 0)
      throw new CliError(`consumer group '${groupId}' has no committed offsets; name the topics with --topic`);
    const p = await planReset(admin, groupId, targets, spec);
    if (flags.execute) await executeReset(admin, groupId, p);
    return p;
  });
  if (ctx.out.json) ctx.out.document({ group: groupId, executed: flags.execute === true, partitions: plan });
  else
    ctx.out.table(
      ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'],
      plan.map((p) => [groupId, p.topic, p.partition, p.currentOffset < 0 ? '-' : p.currentOffset, p.newOffset]),
    );
  if (!flags.execute) ctx.out.note('Dry run: nothing changed. Add --execute to apply this plan.');
}

function committedPartitions(
  offsets: Array<{ topic: string; partition: number; offset: number }>,
): Array<{ topic: string; partitions: number[] }> {
  const by = new Map<string, number[]>();
  for (const o of offsets) if (o.offset >= 0) by.set(o.topic, [...(by.get(o.topic) ?? []), o.partition]);
  return [...by].map(([topic, partitions]) => ({ topic, partitions }));
}

async function deleteOffsets(flags: GroupFlags): Promise<void> {
  const ids = groupIds(flags);
  if (ids.length !== 1) throw usageError('delete-offsets needs exactly one --group <id>');
  if (!flags.topic || flags.topic.length === 0) throw usageError('give --topic <topic[:partitions]> (repeatable)');
  const groupId = ids[0]!;
  const topics = flags.topic.map(parseTopicPartitions);
  const ctx = await resolveContext(flags);
  const done = await withAdmin(ctx, async (admin) => {
    const out: Array<{ topic: string; partition: number }> = [];
    for (const t of topics) {
      const parts = t.partitions ?? (await admin.describeTopics([t.topic]))[0]!.partitions.map((p) => p.partition);
      try {
        await admin.deleteOffsets(groupId, t.topic, parts);
      } catch (err) {
        if (err instanceof KafkaError && err.name === 'GROUP_SUBSCRIBED_TO_TOPIC')
          throw new CliError(
            `consumer group '${groupId}' is subscribed to '${t.topic}'; stop its consumers before deleting its offsets`,
          );
        if (err instanceof KafkaError && err.name === 'GROUP_ID_NOT_FOUND')
          throw new CliError(`consumer group '${groupId}' does not exist`);
        throw err;
      }
      for (const partition of parts) out.push({ topic: t.topic, partition });
    }
    return out;
  });
  if (ctx.out.json) ctx.out.document({ group: groupId, deleted: done });
  else
    ctx.out.table(
      ['TOPIC', 'PARTITION', 'STATUS'],
      done.map((d) => [d.topic, d.partition, 'Successful']),
    );
}

export function registerGroupsCommand(program: Command): Command {
  const groups = program
    .command('groups')
    .alias('group')
    .description('list, describe, delete consumer groups and manage their offsets (kafka-consumer-groups)')
    .addHelpText(
      'after',
      examples(
        'vltava groups list',
        'vltava groups describe --group billing',
        'vltava groups reset-offsets --group billing --topic orders --to-earliest --execute',
      ),
    );

  addConnectionOptions(
    groups.command('list').alias('ls').description('list consumer groups').option('--state', 'show each group state'),
  )
    .addHelpText(
      'after',
      examples('vltava groups list', 'vltava groups list --state', 'vltava groups list --output json'),
    )
    .action(action((flags: GroupFlags) => list(flags)));

  addConnectionOptions(
    groups
      .command('describe')
      .description('committed offset, log end offset and lag per partition, with owning members')
      .argument('[groups...]', 'group ids (or use --group)')
      .option('--group <id>', 'group to describe (repeatable)', collect)
      .option('--all-groups', 'describe every group')
      .option('--members', 'list members with their assignments instead of offsets')
      .option('--state', 'only the group state line'),
  )
    .addHelpText(
      'after',
      examples(
        'vltava groups describe --group billing',
        'vltava groups describe --group billing --members',
        'vltava groups describe --all-groups --output json',
      ),
    )
    .action(action((args: string[], flags: GroupFlags) => describe(args, flags)));

  addConnectionOptions(
    groups
      .command('delete')
      .description('delete inactive consumer groups and their committed offsets')
      .argument('[groups...]', 'group ids (or use --group)')
      .option('--group <id>', 'group to delete (repeatable)', collect),
  )
    .addHelpText('after', examples('vltava groups delete --group billing'))
    .action(action((args: string[], flags: GroupFlags) => remove(args, flags)));

  addConnectionOptions(
    groups
      .command('reset-offsets')
      .description("move an inactive group's committed offsets (a dry run unless --execute)")
      .option('--group <id>', 'the group')
      .option('--topic <topic[:p1,p2]>', 'topic, optionally with partitions (repeatable)', collect)
      .option('--all-topics', 'every topic the group has committed offsets for')
      .option('--to-earliest', 'to the earliest offset')
      .option('--to-latest', 'to the log end offset')
      .option('--to-current', 'to the current committed offset (the log end where there is none)')
      .option('--to-offset <offset>', 'to this offset (clamped to the valid range)')
      .option('--shift-by <n>', 'move the committed offset by n (negative moves back)')
      .option('--to-datetime <datetime>', 'to the first offset at or after YYYY-MM-DDTHH:mm:SS.sss')
      .option('--by-duration <duration>', 'to the first offset at or after now minus an ISO-8601 duration, e.g. PT1H')
      .option('--dry-run', 'only print the plan (the default)')
      .option('--execute', 'apply the plan'),
  )
    .addHelpText(
      'after',
      examples(
        'vltava groups reset-offsets --group billing --topic orders --to-earliest',
        'vltava groups reset-offsets --group billing --topic orders --to-earliest --execute',
        'vltava groups reset-offsets --group billing --all-topics --by-duration PT1H --execute',
        'vltava groups reset-offsets --group billing --topic orders:0,1 --shift-by -100 --execute',
      ),
    )
    .action(action((flags: GroupFlags) => resetOffsets(flags)));

  addConnectionOptions(
    groups
      .command('delete-offsets')
      .description("delete a group's committed offsets for topics or partitions")
      .option('--group <id>', 'the group')
      .option('--topic <topic[:p1,p2]>', 'topic, optionally with partitions (repeatable)', collect),
  )
    .addHelpText(
      'after',
      examples(
        'vltava groups delete-offsets --group billing --topic orders',
        'vltava groups delete-offsets --group billing --topic orders:0',
      ),
    )
    .action(action((flags: GroupFlags) => deleteOffsets(flags)));
  return groups;
}
