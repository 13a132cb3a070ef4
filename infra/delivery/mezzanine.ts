import type { EditListFps } from './timecode';

/**
 * Mezzanine transcodes for broadcast finishing ("for professional broadcast, requiring ProRes or DNxHR,
 * transcoding is mandatory"): ProRes 422 HQ (prores_ks, profile 3, 10-bit 4:2:2) or DNxHR HQ (dnxhd,
 * profile dnxhr_hq, 8-bit 4:2:2), in QuickTime, conformed to the timeline's frame rate so every frame the
 * edit list counts is a frame of the file. Audio, when a clip has it, becomes 48 kHz PCM.
 */
export type MezzanineKind = 'prores' | 'dnxhr';

/** What ffprobe reports for each kind: the checks a finishing house makes. */
export const MEZZANINE_SPEC: Record<MezzanineKind, { codec: string; profile: string; pixFmt: string; label: string }> = {
  prores: { codec: 'prores', profile: 'HQ', pixFmt: 'yuv422p10le', label: 'ProRes 422 HQ' },
  dnxhr: { codec: 'dnxhd', profile: 'DNXHR HQ', pixFmt: 'yuv422p', label: 'DNxHR HQ' },
};

/** `<clip base>-prores.mov` / `-dnxhr.mov`: beside the clip, named after it. */
export function mezzanineFileName(clipName: string, kind: MezzanineKind): string {
  return `${clipName.replace(/\.[^.]+$/, '')}-${kind}.mov`;
}

export function mezzanineArgs(input: string, output: string, kind: MezzanineKind, fps: EditListFps): string[] {
  const video =
    kind === 'prores'
      ? ['-c:v', 'prores_ks', '-profile:v', '3', '-vendor', 'apl0', '-pix_fmt', 'yuv422p10le']
      : ['-c:v', 'dnxhd', '-profile:v', 'dnxhr_hq', '-pix_fmt', 'yuv422p'];
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-i',
    input,
    '-map',
    '0:v:0',
    '-map',
    '0:a?',
    '-vf',
    `fps=${fps}`,
    ...video,
    '-c:a',
    'pcm_s16le',
    '-ar',
    '48000',
    '-movflags',
    '+write_colr',
    output,
  ];
}
