import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MediaToolMissingError, resolveMediaTool } from '../infra/ffmpeg';
import { FailureType } from '../schemas/failures';
import { assemblyFailed } from './assembly-storage';

export interface ToolOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs ffmpeg (or ffprobe) for the assembly: cancelled with the activity, killed after `timeoutMs` so a
 * wedged encoder cannot hold the attempt, its failure typed (a missing tool is not retried).
 */
export function toolRunner(signal: AbortSignal, timeoutMs: number) {
  return (file: string, args: string[]): Promise<ToolOutput> =>
    new Promise((resolve, reject) => {
      execFile(file, args, { signal, timeout: timeoutMs, maxBuffer: MAX_OUTPUT, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        reject(toolFailure(file, signal, error, stderr, error.killed));
      });
    });
}

const MAX_OUTPUT = 64 * 1024 * 1024;

/** A tool started ahead of its work: it waits for its filtergraph on stdin. */
export interface WarmTool {
  /** Hands the tool its filtergraph; it then opens its inputs, runs, and this settles with its output. */
  run(graph: string): Promise<ToolOutput>;
  /** Stops it (its output is no longer wanted: the attempt ended) and waits until it is gone; harmless once it exited. */
  dispose(): Promise<void>;
}

/**
 * Starts a tool whose command line reads its filtergraph from stdin (`-filter_complex_script pipe:0`) and
 * holds it there: loading ffmpeg's libraries is a fixed cost of every run, paid here while the inputs are
 * still being fetched or measured, instead of after. The time limit counts from `run`.
 */
export function startWarm(file: string, args: string[], signal: AbortSignal, timeoutMs: number): WarmTool {
  const child = spawn(file, args, { signal, killSignal: 'SIGKILL', stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let kept = 0;
  const keep = (into: Buffer[]) => (chunk: Buffer) => {
    if (kept + chunk.length > MAX_OUTPUT) return;
    kept += chunk.length;
    into.push(chunk);
  };
  child.stdout.on('data', keep(stdout));
  child.stderr.on('data', keep(stderr));
  // A tool that never got its graph is killed on purpose: its stdin closing early must not throw.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  return {
    run: async (graph) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdin.end(graph);
      const { code, error } = await exited.finally(() => clearTimeout(timer));
      const output = { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      if (code === 0 && !error) return output;
      const failure = Object.assign(error ?? new Error(`exit ${String(code)}`), {
        code: (error as NodeJS.ErrnoException | undefined)?.code ?? code,
      });
      throw toolFailure(file, signal, failure, output.stderr, timedOut);
    },
    dispose: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function toolFailure(
  file: string,
  signal: AbortSignal,
  error: Error & { code?: unknown },
  stderr: string,
  killed: boolean | undefined,
): Error {
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : error;
  if (error.code === 'ENOENT') {
    return ApplicationFailure.create({
      type: FailureType.MediaToolMissing,
      nonRetryable: true,
      message: `${file} could not be run (ENOENT)`,
    });
  }
  const tail = String(stderr).trim().split('\n').slice(-5).join(' | ');
  return assemblyFailed(
    `${path.basename(file)} failed (${killed ? 'killed after the time limit' : `exit ${String(error.code)}`}): ${tail}`,
  );
}

/** The worker's ffmpeg; a missing one fails the activity without retries. */
export function mediaTools(env: NodeJS.ProcessEnv | undefined): { ffmpeg: string } {
  try {
    return { ffmpeg: resolveMediaTool('ffmpeg', env) };
  } catch (error) {
    if (error instanceof MediaToolMissingError) {
      // The worker's installation, not the input: a retry on this worker cannot find it either.
      throw ApplicationFailure.create({ type: FailureType.MediaToolMissing, nonRetryable: true, message: error.message });
    }
    throw error;
  }
}
