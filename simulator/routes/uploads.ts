import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, Transform } from 'node:stream';
import { readJsonBody, sendError, sendJson, sendMethodNotAllowed } from '../http';
import type { SimulatorState } from '../state';
import { MAX_UPLOAD_BYTES, sniffMediaType, typeForFilename } from '../uploads';

const MAX_FILENAME_LENGTH = 255;
/** The form's own fields (policy, signature, key, metadata) on top of the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/**
 * `POST /v1/uploads` `{filename, type: 'ephemeral'}` (authenticated by the API's checks before this):
 * a presigned form upload on the simulator's own origin and the `runway://` URI the file will have.
 */
export async function createUpload(
  state: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  reject: (status: number, error: string) => void,
) {
  const body = await readJsonBody(req);
  if (!body.ok) return reject(body.status, body.error);
  const value = body.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject(400, 'Request body must be a JSON object.');
  const { filename, type, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return reject(400, `Unrecognized key(s) in object: ${unknown.map((key) => `'${key}'`).join(', ')}`);
  if (type !== 'ephemeral') return reject(400, `type: Invalid literal value, expected "ephemeral"`);
  if (typeof filename !== 'string' || filename.trim() === '') return reject(400, 'filename: Required, a non-empty string');
  if (filename.length > MAX_FILENAME_LENGTH || /[/\\]/.test(filename) || hasControlCharacter(filename)) {
    return reject(400, `filename: must be a plain file name of at most ${MAX_FILENAME_LENGTH} characters`);
  }
  const declaredType = typeForFilename(filename);
  if (!declaredType)
    return reject(400, 'filename: unsupported file type; upload an image (png, jpg, jpeg, webp), a video (mp4, mov) or audio (mp3, wav)');
  sendJson(res, 200, state.uploads.issue(filename, declaredType, state.publicUrl));
}

const FORM_PATH = /^\/__uploads\/([0-9a-f-]{36})$/;

/**
 * The presigned form POST (`/__uploads/<id>`), as a storage service answers it: no API key, the signed
 * policy decides; multipart/form-data with the issued fields first and `file` last; 204 when stored.
 */
export async function handleUploadForm(state: SimulatorState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const reject = (status: number, error: string) => {
    state.uploads.recordRejection();
    if (!req.readableEnded) res.setHeader('Connection', 'close');
    sendError(res, status, error);
  };
  const id = FORM_PATH.exec(url.pathname)?.[1];
  if (!id) return reject(404, `Not found: ${url.pathname}`);
  if (req.method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data;\s*boundary=/i.test(contentType)) return reject(400, 'Expected a multipart/form-data body.');
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES)
    return reject(413, `Your proposed upload exceeds the maximum allowed size (${MAX_UPLOAD_BYTES} bytes).`);

  let form: FormData;
  try {
    form = await readForm(req, contentType);
  } catch (error) {
    if (error instanceof TooLarge) return reject(413, `Your proposed upload exceeds the maximum allowed size (${MAX_UPLOAD_BYTES} bytes).`);
    return reject(400, 'The body of your POST request is not well-formed multipart/form-data.');
  }
  const fields: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === 'string') fields[key] = value;
  const check = state.uploads.checkForm(id, fields);
  if (!check.ok) return reject(check.status, check.error);
  const file = form.get('file');
  if (file === null || typeof file === 'string')
    return reject(400, 'POST requires exactly one file upload per request (the field "file").');
  if (file.size === 0) return reject(400, 'The uploaded file is empty.');
  if (file.size > MAX_UPLOAD_BYTES)
    return reject(413, `Your proposed upload exceeds the maximum allowed size (${MAX_UPLOAD_BYTES} bytes).`);
  const bytes = Buffer.from(await file.arrayBuffer());
  const actual = sniffMediaType(bytes.subarray(0, 16));
  if (!actual) return reject(400, 'The uploaded file is not a supported image, video or audio file.');
  if (actual !== check.upload.declaredType && !(actual.startsWith('video/') && check.upload.declaredType.startsWith('video/'))) {
    return reject(400, `The uploaded file is ${actual}, but ${check.upload.filename} was declared as ${check.upload.declaredType}.`);
  }
  state.uploads.complete(check.upload, bytes, actual);
  res.writeHead(204);
  res.end();
}

class TooLarge extends Error {}

/** Parse the multipart body with the platform's own parser (undici's), refusing it past the size limit as it streams. */
async function readForm(req: IncomingMessage, contentType: string): Promise<FormData> {
  let seen = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES) return callback(new TooLarge());
      callback(null, chunk);
    },
  });
  let tooLarge = false;
  limit.on('error', (error) => {
    if (error instanceof TooLarge) tooLarge = true;
  });
  const body = Readable.toWeb(req.pipe(limit)) as ReadableStream<Uint8Array>;
  try {
    return await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    if (tooLarge) throw new TooLarge();
    throw error;
  }
}

/** A file name with a control character (a NUL, a newline) is not a plain file name. */
function hasControlCharacter(text: string): boolean {
  for (const char of text) if (char.charCodeAt(0) < 0x20) return true;
  return false;
}
