/** Where a prebuilt release of a tool is published, so a first run can fetch it in seconds instead of building it. */
export interface ReleaseArchive {
  version: string;
  /** Base URL the release assets hang under as `<base>/v<version>/<asset>`. */
  defaultBaseUrl: string;
  /** Environment variable that replaces `defaultBaseUrl` (a mirror, or a test's local server); `off` skips the download. */
  baseUrlEnvVar: string;
  /** Asset name of the `.tar.gz` for one platform, in the release's own `linux`/`darwin` and `amd64`/`arm64` words. */
  archiveName: (version: string, os: string, arch: string) => string;
  /** Names the sha256 checksums asset may have, tried in order: goreleaser's default name differs from the name the project configures. */
  checksumNames: (version: string) => string[];
}

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
  /** Official prebuilt archive tried before `go install`, when the tool publishes one. */
  release?: ReleaseArchive;
}

const temporalCliVersion = '1.5.1';

export const temporalCliSpec: ToolSpec = {
  displayName: 'Temporal CLI',
  binaryName: 'temporal',
  pathEnvVar: 'TEMPORAL_CLI_PATH',
  // Later tags carry replace directives in go.mod and cannot be `go install`ed; the download takes the same version so both paths give one binary.
  goPackage: `github.com/temporalio/cli/cmd/temporal@v${temporalCliVersion}`,
  buildMinutes: 10,
  release: {
    version: temporalCliVersion,
    // The same assets temporal.download redirects to (what @temporalio/testing fetches); GitHub also serves the checksums file.
    defaultBaseUrl: 'https://github.com/temporalio/cli/releases/download',
    baseUrlEnvVar: 'TEMPORAL_CLI_RELEASE_URL',
    archiveName: (version, os, arch) => `temporal_cli_${version}_${os}_${arch}.tar.gz`,
    checksumNames: (version) => ['checksums.txt', `temporal_cli_${version}_checksums.txt`],
  },
};

export const s3ServerSpec: ToolSpec = {
  displayName: 'MinIO S3 server',
  binaryName: 'minio',
  pathEnvVar: 'S3_SERVER_PATH',
  // Pinned to the commit `@latest` resolved to (2026-02-12): the community edition publishes no releases any more, so every machine builds this same server.
  goPackage: 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c',
  buildMinutes: 8,
};

/** The Temporal server the production topology runs (and docker-compose.yml pins): one constant, so both drift together or not at all. */
export const temporalServerVersion = '1.29.1';

export const temporalServerSpec: ToolSpec = {
  displayName: 'Temporal server',
  binaryName: 'temporal-server',
  pathEnvVar: 'TEMPORAL_SERVER_PATH',
  goPackage: `go.temporal.io/server/cmd/server@v${temporalServerVersion}`,
  buildMinutes: 4,
};

/** The schema tool of the same release: its embedded schemas are the ones that server expects. */
export const temporalSqlToolSpec: ToolSpec = {
  displayName: 'Temporal SQL schema tool',
  binaryName: 'temporal-sql-tool',
  pathEnvVar: 'TEMPORAL_SQL_TOOL_PATH',
  goPackage: `go.temporal.io/server/cmd/tools/sql@v${temporalServerVersion}`,
  buildMinutes: 2,
};

/**
 * The UI server (its module embeds the Web UI's pages). The newest tag whose go.mod this machine's Go (1.26.8,
 * GOTOOLCHAIN=local) can build: 2.56.x and later ask for 1.26.9 or newer, and fetching a toolchain is not an option here.
 */
export const temporalUiServerVersion = '2.55.0';

export const temporalUiServerSpec: ToolSpec = {
  displayName: 'Temporal UI server',
  binaryName: 'temporal-ui-server',
  pathEnvVar: 'TEMPORAL_UI_SERVER_PATH',
  goPackage: `github.com/temporalio/ui-server/v2/cmd/server@v${temporalUiServerVersion}`,
  buildMinutes: 2,
};

/** PostgreSQL major of the production topology: Debian's postgresql-<major> here, the postgres:<major> image in compose. */
export const postgresMajorVersion = 15;
