// The bytes of a Curator queue message (its ItemSerializer): a 4-byte version 0x00010001, then
// for each item the opcode 0x01, a 4-byte length and the item's bytes, and finally 0x02. One
// message holds one item (put) or several (putMulti). Integers are big-endian, as Java writes.

const VERSION = 0x00010001;
const ITEM_OPCODE = 0x01;
const EOF_OPCODE = 0x02;

/** Turns queue items into bytes and back (Curator's QueueSerializer). */
export interface QueueSerializer<T> {
  serialize(item: T): Buffer;
  deserialize(bytes: Buffer): T;
}

export const bytesSerializer: QueueSerializer<Buffer> = {
  serialize: (item) => item,
  deserialize: (bytes) => bytes,
};

export const stringSerializer: QueueSerializer<string> = {
  serialize: (item) => Buffer.from(item, "utf8"),
  deserialize: (bytes) => bytes.toString("utf8"),
};

export const jsonSerializer: QueueSerializer<unknown> = {
  serialize: (item) => Buffer.from(JSON.stringify(item), "utf8"),
  deserialize: (bytes) => JSON.parse(bytes.toString("utf8")) as unknown,
};

export function encodeQueueMessage<T>(items: readonly T[], serializer: QueueSerializer<T>): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4);
  head.writeInt32BE(VERSION, 0);
  parts.push(head);
  for (const item of items) {
    const bytes = serializer.serialize(item);
    const itemHead = Buffer.alloc(5);
    itemHead.writeUInt8(ITEM_OPCODE, 0);
    itemHead.writeInt32BE(bytes.length, 1);
    parts.push(itemHead, bytes);
  }
  parts.push(Buffer.from([EOF_OPCODE]));
  return Buffer.concat(parts);
}

/** The items of a message; throws on bytes that are not one (Curator logs and skips those). */
export function decodeQueueMessage<T>(bytes: Buffer, serializer: QueueSerializer<T>): T[] {
  const fail = (why: string): never => {
    throw new Error(`not a queue message: ${why}`);
  };
  if (bytes.length < 5) fail(`${bytes.length} bytes`);
  const version = bytes.readInt32BE(0);
  if (version !== VERSION) fail(`version ${version}, expected ${VERSION}`);
  const items: T[] = [];
  let at = 4;
  for (;;) {
    if (at >= bytes.length) fail("no end marker");
    const opcode = bytes.readUInt8(at++);
    if (opcode === EOF_OPCODE) return items;
    if (opcode !== ITEM_OPCODE) fail(`opcode ${opcode}`);
    if (at + 4 > bytes.length) fail("truncated length");
    const size = bytes.readInt32BE(at);
    at += 4;
    if (size < 0 || at + size > bytes.length) fail(`bad size ${size}`);
    items.push(serializer.deserialize(bytes.subarray(at, at + size)));
    at += size;
  }
}
