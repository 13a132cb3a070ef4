import { formatVttTime, type ChunkTiming } from '../assembly-media';

/**
 * The SCO's launch page: the narrated video with its captions track, and the transcript beneath it (each
 * line seeks the video to where it is spoken). Everything is relative to the package root and nothing is
 * loaded from elsewhere, so the page works inside any LMS's frame, offline, and under a strict CSP.
 */
export interface PlayerPage {
  title: string;
  /** BCP 47 language of the narration, for the page, the captions track and screen readers. */
  language: string;
  video: string;
  captions: string;
  script: string;
  cues: Array<ChunkTiming & { text: string }>;
}

export function scormPlayerPage(page: PlayerPage): string {
  const transcript = page.cues
    .map(
      (cue) =>
        `      <li><button type="button" data-start="${(cue.startMs / 1000).toFixed(3)}"><time>${formatVttTime(cue.startMs).slice(3, 8)}</time> ${escapeHtml(cue.text)}</button></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="${escapeHtml(page.language)}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(page.title)}</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 960px; padding: 1rem; color: #1d1d1f; }
      video { width: 100%; background: #000; border-radius: 6px; }
      #lms-status { color: #555; font-size: 0.9rem; min-height: 1.5em; }
      ol { list-style: none; padding: 0; }
      li button { all: unset; cursor: pointer; display: block; padding: 0.25rem 0.5rem; border-radius: 4px; }
      li button:hover, li button:focus-visible { background: #eef2ff; outline: 2px solid #6366f1; }
      time { color: #6366f1; font-variant-numeric: tabular-nums; margin-right: 0.5rem; }
    </style>
  </head>
  <body>
    <main>
      <h1>${escapeHtml(page.title)}</h1>
      <video id="lesson" controls preload="metadata" playsinline>
        <source src="${escapeHtml(page.video)}" type="video/mp4" />
        <track kind="captions" src="${escapeHtml(page.captions)}" srclang="${escapeHtml(page.language)}" label="Captions" default />
      </video>
      <p id="lms-status" role="status"></p>
      <h2>Transcript</h2>
      <ol id="transcript">
${transcript}
      </ol>
    </main>
    <script src="${escapeHtml(page.script)}"></script>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
