/**
 * Which __consumer_offsets partition owns a group: Kafka's `Utils.abs(groupId.hashCode) % n`.
 * Java's String.hashCode runs over UTF-16 code units with 32-bit wrap-around; Utils.abs is
 * `h & 0x7fffffff` (not Math.abs: Integer.MIN_VALUE must map to 0, not stay negative).
 * Matching Kafka exactly lets tools that read the topic find a group where Kafka would put it.
 */
export const GROUP_METADATA_TOPIC = '__consumer_offsets';

export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export function partitionForGroup(groupId: string, numPartitions: number): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % numPartitions;
}
