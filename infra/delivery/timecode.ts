/** Timecodes of every delivery format: whole frames at the timeline's rate, non-drop frame. */
export type EditListFps = 24 | 25 | 30;

/** Milliseconds to whole frames, rounded to the nearest frame (a half frame rounds up). */
export function msToFrames(ms: number, fps: EditListFps): number {
  return Math.round((ms * fps) / 1000);
}

/** Frames to a non-drop-frame timecode HH:MM:SS:FF. */
export function framesToTimecode(frames: number, fps: EditListFps): string {
  const whole = Math.max(0, Math.round(frames));
  const ff = whole % fps;
  const totalSeconds = Math.floor(whole / fps);
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  return [hh, mm, ss, ff].map((part) => String(part).padStart(2, '0')).join(':');
}
