/** A Go-built binary the embedded stack needs, and where it may come from. */
export interface ToolSpec {
  /** Human name used in progress and error messages. */
  displayName: string;
  /** File name of the binary. */
  binaryName: string;
  /** Environment variable that points straight at a binary. */
  pathEnvVar: string;
  /** Argument for `go install`. */
  goPackage: string;
  /** Rough first-build time on a 2-core machine, for the progress message. */
  buildMinutes: number;
}

export const temporalCliSpec: ToolSpec = {
  displayName: 'Temporal CLI',
  binaryName: 'temporal',
  pathEnvVar: 'TEMPORAL_CLI_PATH',
  // Later tags carry replace directives in go.mod and cannot be `go install`ed.
  goPackage: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
  buildMinutes: 10,
};

export const s3ServerSpec: ToolSpec = {
  displayName: 'MinIO S3 server',
  binaryName: 'minio',
  pathEnvVar: 'S3_SERVER_PATH',
  goPackage: 'github.com/minio/minio@latest',
  buildMinutes: 8,
};
