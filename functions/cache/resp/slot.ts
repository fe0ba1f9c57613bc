/**
 * Which of the 16384 cluster slots a key lives in: CRC16 (XMODEM: polynomial 0x1021, initial 0) of the key's
 * UTF-8 bytes, modulo 16384. When the key holds a non-empty `{tag}`, only the tag is hashed, which is how all
 * keys of one series (functions/cache/keys.ts) land in one slot.
 */
export const SLOTS = 16384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
    t[i] = c & 0xffff;
  }
  return t;
})();

export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    // `{}` (empty tag) or no closing brace: the whole key is hashed, as Redis does.
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(key)) % SLOTS;
}
