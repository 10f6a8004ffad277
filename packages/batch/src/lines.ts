import { open } from 'node:fs/promises';

/** One line of a file, in bytes: where it starts and whether a newline ended it. */
export interface RawLine {
  text: string;
  number: number;
  start: number;
  end: number;
  terminated: boolean;
}

/**
 * A file's lines, read in chunks (`ENOENT`: none): a journal of any size is never held as one string (Node cannot
 * hold a string past ~512 MB). Offsets are bytes, so a torn line can be cut off exactly.
 */
export async function* fileLines(path: string): AsyncGenerator<RawLine> {
  let stream: AsyncIterable<Buffer>;
  try {
    const handle = await open(path, 'r');
    stream = handle.createReadStream({ highWaterMark: 1 << 20 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let offset = 0;
  let number = 0;
  for await (const chunk of stream) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      const bytes = carryBytes > 0 ? Buffer.concat([...carry, piece]) : piece;
      number++;
      yield {
        text: bytes.toString('utf8'),
        number,
        start: offset,
        end: offset + bytes.length + 1,
        terminated: true,
      };
      offset += bytes.length + 1;
      carry = [];
      carryBytes = 0;
      from = nl + 1;
    }
    if (from < chunk.length) {
      carry.push(chunk.subarray(from));
      carryBytes += chunk.length - from;
    }
  }
  if (carryBytes > 0) {
    const bytes = Buffer.concat(carry);
    yield {
      text: bytes.toString('utf8'),
      number: number + 1,
      start: offset,
      end: offset + bytes.length,
      terminated: false,
    };
  }
}
