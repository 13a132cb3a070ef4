/** A file uploaded through the ephemeral uploads API: what a `runway://` URI stands for until it expires. */
export interface UploadedFile {
  bytes: Buffer;
  contentType: string;
  filename: string;
  /** Simulated seconds at upload. */
  uploadedAtSim: number;
}

/**
 * The simulator's ephemeral uploads (`POST /v1/uploads` and the presigned form upload it answers).
 * `resolve` answers what a `runway://` URI holds, or undefined when it was never issued, never completed
 * or has expired.
 */
export class UploadStore {
  private readonly files = new Map<string, UploadedFile>();

  resolve(uri: string): UploadedFile | undefined {
    return this.files.get(uri);
  }
}
