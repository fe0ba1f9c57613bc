/**
 * Writes a large JSON document in chunks: top-level arrays element by element, flushed every CHUNK characters.
 * One `JSON.stringify` of a 50k-bar document is a ~22 MB string (plus its UTF-8 copy on write), built before the
 * first byte leaves; in chunks the output starts at once and the peak memory stays a chunk.
 */
export interface ChunkSink {
  /** Returns false when the sink wants the writer to wait for 'drain' (a stream's backpressure). */
  write(chunk: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

const CHUNK = 1 << 16;
/** Array elements per JSON.stringify call (a bar is ~200 characters, so a batch is about a chunk). */
const BATCH = 256;

export async function writeJsonChunked(doc: Record<string, unknown>, out: ChunkSink): Promise<void> {
  let buf = '';
  const flush = async () => {
    if (buf === '') return;
    const ok = out.write(buf);
    buf = '';
    if (ok === false && out.once) await new Promise<void>((resolve) => out.once!('drain', resolve));
  };
  let first = true;
  buf += '{';
  for (const [key, value] of Object.entries(doc)) {
    if (value === undefined) continue;
    buf += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(value)) {
      buf += JSON.stringify(value);
      continue;
    }
    buf += '[';
    // A batch of elements per JSON.stringify: one call per element was most of the time of a structures-only
    // document. The brackets of each batch's array are cut off.
    for (let i = 0; i < value.length; i += BATCH) {
      const part = JSON.stringify(value.slice(i, i + BATCH));
      buf += (i === 0 ? '' : ',') + part.slice(1, -1);
      if (buf.length >= CHUNK) await flush();
    }
    buf += ']';
  }
  buf += '}\n';
  await flush();
}
