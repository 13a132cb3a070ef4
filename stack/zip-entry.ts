import { crc32, inflateRawSync } from 'node:zlib';
import { DownloadIntegrityError } from './download';

const endOfCentralDirectory = 0x06054b50;
const centralDirectoryEntry = 0x02014b50;
const localFileHeader = 0x04034b50;

/**
 * The bytes of the entry named exactly `entryName` in a zip (a Python wheel is one), checked against the
 * CRC-32 its directory records. A minimal reader of stored and deflated entries (no ZIP64: wheels of a
 * single binary stay far below 4 GiB); entries are only read, never written to disk under their own name.
 */
export function extractZipEntry(zip: Buffer, entryName: string, maxBytes: number): Buffer | undefined {
  const end = findEndOfCentralDirectory(zip);
  const entries = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  for (let index = 0; index < entries; index++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== centralDirectoryEntry) throw corrupt('central directory');
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name !== entryName) continue;
    if (size > maxBytes) throw new DownloadIntegrityError(`${entryName} is larger than ${maxBytes} bytes`);
    const data = localData(zip, localOffset, compressedSize);
    const bytes = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data, { maxOutputLength: maxBytes }) : undefined;
    if (!bytes) throw new DownloadIntegrityError(`${entryName}: unsupported zip compression method ${method}`);
    if (bytes.length !== size || crc32(bytes) !== crc)
      throw new DownloadIntegrityError(`${entryName}: size or CRC-32 does not match the zip directory`);
    return bytes;
  }
  return undefined;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535.
  for (let offset = zip.length - 22; offset >= Math.max(0, zip.length - 22 - 0xffff); offset--) {
    if (zip.readUInt32LE(offset) === endOfCentralDirectory) return offset;
  }
  throw corrupt('no end of central directory (not a zip)');
}

function localData(zip: Buffer, offset: number, compressedSize: number): Buffer {
  if (offset + 30 > zip.length || zip.readUInt32LE(offset) !== localFileHeader) throw corrupt('local header');
  const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
  if (start + compressedSize > zip.length) throw corrupt('entry runs past the end');
  return zip.subarray(start, start + compressedSize);
}

function corrupt(what: string): DownloadIntegrityError {
  return new DownloadIntegrityError(`corrupt zip: ${what}`);
}
