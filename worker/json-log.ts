import type { LogEntry, LogLevel } from '@temporalio/worker';

/**
 * JSON log lines. Values of the secrets handed in are masked wherever they appear, as a last line of
 * defence: nothing should log them in the first place.
 */
export function jsonLogSink(secrets: readonly string[], write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
  const masks = secrets.filter((secret) => secret.length >= 6);
  return (entry: LogEntry): void => {
    const { sdkComponent, ...meta } = entry.meta ?? {};
    const line = JSON.stringify({
      time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
      level: entry.level.toLowerCase(),
      msg: entry.message,
      ...(sdkComponent ? { component: sdkComponent } : {}),
      ...meta,
    });
    write(masks.reduce((masked, secret) => masked.split(secret).join('***'), line));
  };
}

export type { LogLevel };
