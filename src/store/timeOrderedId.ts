/**
 * UUID version 7 ids that sort in creation order within a process (48-bit milliseconds, then a 12-bit
 * counter for ids made in the same millisecond). The outbox uses them as the tie-break after the send
 * time, so messages queued together go out in the order they were queued.
 */
import { randomBytes } from 'node:crypto';

const MAX_COUNTER = 0xfff;
let lastMs = 0;
let counter = 0;

export function timeOrderedId(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else if (counter < MAX_COUNTER) {
    counter += 1;
  } else {
    lastMs += 1;
    counter = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
