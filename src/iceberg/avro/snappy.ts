import zlib from "node:zlib";

/**
 * Avro's `snappy` codec: a raw Snappy block followed by the big-endian CRC-32 of the uncompressed
 * bytes. Decompression only — floe writes deflate — and small enough to keep a native dependency out.
 */
export function snappyDecompress(block: Buffer): Buffer {
  if (block.length < 4) throw new Error("snappy block shorter than its checksum");
  const data = block.subarray(0, block.length - 4);
  const out = snappyRaw(data);
  if (zlib.crc32(out) !== block.readUInt32BE(block.length - 4)) throw new Error("snappy checksum mismatch");
  return out;
}

/** Raw Snappy format (google/snappy format_description.txt). */
export function snappyRaw(data: Uint8Array): Buffer {
  let pos = 0;
  const byte = (): number => {
    if (pos >= data.length) throw new Error("snappy data truncated");
    return data[pos++] as number;
  };
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const b = byte();
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
    if (shift > 28) throw new Error("snappy length too long");
  }
  // A copy element of at most 5 bytes yields at most 64: a larger stated length is corruption.
  if (length > data.length * 64) throw new Error("snappy length larger than the data can hold");
  const out = Buffer.alloc(length);
  let o = 0;
  const le = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v += byte() * 2 ** (8 * i);
    return v;
  };
  while (pos < data.length) {
    const tag = byte();
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >> 2;
      if (len >= 60) len = le(len - 59);
      len += 1;
      if (pos + len > data.length || o + len > length) throw new Error("snappy literal out of range");
      out.set(data.subarray(pos, pos + len), o);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = 4 + ((tag >> 2) & 7);
      offset = ((tag >> 5) << 8) | byte();
    } else {
      len = 1 + (tag >> 2);
      offset = le(kind === 2 ? 2 : 4);
    }
    if (offset === 0 || offset > o || o + len > length) throw new Error("snappy copy out of range");
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset] as number;
  }
  if (o !== length) throw new Error("snappy data shorter than its stated length");
  return out;
}
