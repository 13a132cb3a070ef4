import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { defaultFfmpegPath } from '../../simulator/media';

const run = promisify(execFile);

/** Decode the whole file with ffmpeg: throws when it is not playable audio; returns its codec and decoded length. */
export async function decodeAudio(bytes: Buffer): Promise<{ codec: string; durationSeconds: number }> {
  const file = path.join(os.tmpdir(), `audio-check-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  fs.writeFileSync(file, bytes);
  try {
    const { stderr } = await run(defaultFfmpegPath(), ['-hide_banner', '-v', 'info', '-stats', '-xerror', '-i', file, '-f', 'null', '-']);
    const stream = /Stream #0:0.*Audio: (\w+)/.exec(stderr);
    if (!stream) throw new Error(`no audio stream in ffmpeg output:\n${stderr}`);
    const times = [...stderr.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
    const last = times.at(-1);
    if (!last) throw new Error(`ffmpeg decoded no audio:\n${stderr}`);
    return { codec: stream[1] ?? '', durationSeconds: Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3]) };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * EBU R128 measurement of a file's first audio stream with ffmpeg's ebur128 filter: integrated loudness
 * (LUFS), loudness range (LU) and true peak (dBTP), from the filter's summary.
 */
export async function measureLoudness(bytes: Buffer): Promise<{ integratedLufs: number; rangeLu: number; truePeakDbtp: number }> {
  const file = path.join(os.tmpdir(), `loudness-check-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  fs.writeFileSync(file, bytes);
  try {
    const { stderr } = await run(defaultFfmpegPath(), [
      ...['-hide_banner', '-nostats', '-nostdin', '-i', file],
      ...['-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    ]);
    const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
    const value = (pattern: RegExp) => {
      const match = pattern.exec(summary);
      if (!match) throw new Error(`no ${String(pattern)} in the ebur128 summary:\n${summary}`);
      return match[1] === '-inf' ? -Infinity : Number(match[1]);
    };
    return {
      integratedLufs: value(/Integrated loudness:\s+I:\s+(-?[\d.]+|-inf) LUFS/),
      rangeLu: value(/Loudness range:\s+LRA:\s+(-?[\d.]+) LU/),
      truePeakDbtp: value(/True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/),
    };
  } finally {
    fs.rmSync(file, { force: true });
  }
}
