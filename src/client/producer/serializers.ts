/**
 * Serializers turn typed keys and values into bytes (null stays null: a tombstone or a keyless
 * record). A Producer<K, V> carries its serializers' types, so `send` is checked at compile time.
 * Deserializers are the consumer's mirror image.
 */
export type Serializer<T> = (data: T, topic: string) => Buffer | null;
export type Deserializer<T> = (data: Buffer, topic: string) => T;

export const serializers = {
  buffer: ((d: Buffer | Uint8Array | null) =>
    d === null ? null : Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength)) as Serializer<
    Buffer | Uint8Array | null
  >,
  string: ((d: string | null) => (d === null ? null : Buffer.from(d, 'utf8'))) as Serializer<string | null>,
  /** Any JSON value; for a typed producer use jsonSerializer<T>(). */
  json: ((d: unknown) => (d === null ? null : Buffer.from(JSON.stringify(d), 'utf8'))) as Serializer<unknown>,
  /** Java's IntegerSerializer / LongSerializer layouts (big-endian). */
  int32: ((d: number | null) => (d === null ? null : Buffer.from([d >>> 24, d >>> 16, d >>> 8, d]))) as Serializer<
    number | null
  >,
  int64: ((d: bigint | null) => {
    if (d === null) return null;
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(d);
    return b;
  }) as Serializer<bigint | null>,
};

export const deserializers = {
  buffer: ((d: Buffer) => d) as Deserializer<Buffer>,
  string: ((d: Buffer) => d.toString('utf8')) as Deserializer<string>,
  json: ((d: Buffer): unknown => JSON.parse(d.toString('utf8'))) as Deserializer<unknown>,
  int32: ((d: Buffer) => d.readInt32BE(0)) as Deserializer<number>,
  int64: ((d: Buffer) => d.readBigInt64BE(0)) as Deserializer<bigint>,
};

export const jsonSerializer = <T>(): Serializer<T> => serializers.json as Serializer<T>;
export const jsonDeserializer = <T>(): Deserializer<T> => deserializers.json as Deserializer<T>;
