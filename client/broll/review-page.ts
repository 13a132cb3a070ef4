import type { BrollProgress, SegmentProgress } from '../../schemas';

/**
 * The editor's review page: plain server-rendered HTML and one small inline script. Every string that
 * came from a user (transcript text, prompts, ids, errors) goes through `escapeHtml`; the script reads ids
 * from data attributes and never builds HTML from them.
 */

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]!);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export interface ProjectListing {
  workflowId: string;
  progress?: BrollProgress;
  error?: string;
}

/** The clip URL per segment id: presigned for a few minutes, made for this response only. */
export type ClipUrls = ReadonlyMap<string, string>;

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin: 0 0 .4rem; }
.segment { border: 1px solid #ccc; border-radius: 6px; padding: .8rem; margin: .8rem 0; display: grid; grid-template-columns: 420px 1fr; gap: 1rem; }
.segment video { width: 400px; background: #000; }
.state { font-size: .8rem; padding: .1rem .4rem; border-radius: 4px; background: #eee; }
.state-approved { background: #d4f7d4; } .state-awaiting-review { background: #fff2c2; } .state-failed { background: #f9d0d0; }
.text { font-style: italic; } .prompt { font-family: ui-monospace, monospace; font-size: .9rem; }
textarea { width: 100%; min-height: 3rem; }
.message { color: #b00020; white-space: pre-wrap; } .message.ok { color: #1b6e1b; }
table { border-collapse: collapse; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }
`;

function layout(title: string, nonce: string, body: string, script = '', signature = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STYLE}</style></head>
<body data-signature="${escapeHtml(signature)}">${body}${script ? `<script nonce="${nonce}">${script}</script>` : ''}</body></html>`;
}

export function renderProjectList(projects: ProjectListing[], nonce: string): string {
  const rows = projects.map((project) => {
    const link = `<a href="/projects/${encodeURIComponent(project.workflowId)}">${escapeHtml(project.progress?.projectId ?? project.workflowId)}</a>`;
    if (!project.progress)
      return `<tr><td>${link}</td><td colspan="3" class="message">${escapeHtml(project.error ?? 'no progress')}</td></tr>`;
    const { counts, pendingDecisions, round, maxReviewRounds } = project.progress;
    return `<tr><td>${link}</td><td>${pendingDecisions.length} to review</td><td>${counts.approved} approved, ${counts.generating} generating, ${counts.failed} failed</td><td>round ${round} of ${maxReviewRounds}</td></tr>`;
  });
  const body =
    projects.length === 0
      ? '<p id="no-projects">No project is awaiting review.</p>'
      : `<table id="projects"><thead><tr><th>project</th><th>decisions</th><th>segments</th><th>review</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return layout('B-roll review', nonce, `<h1>B-roll projects awaiting review</h1>${body}`);
}

function renderSegment(segment: SegmentProgress, clipUrl: string | undefined, open: boolean): string {
  const id = escapeHtml(segment.segmentId);
  const video = clipUrl
    ? `<video controls preload="metadata" src="${escapeHtml(clipUrl)}" data-segment="${id}"></video>`
    : `<p>${segment.state === 'generating' ? 'generating…' : 'no clip'}</p>`;
  const actions =
    open && segment.state === 'awaiting-review'
      ? `<div class="actions">
  <button type="button" class="approve" data-segment="${id}">Approve</button>
  <textarea class="new-prompt" data-segment="${id}" placeholder="a new prompt for this segment">${escapeHtml(segment.promptText)}</textarea>
  <button type="button" class="reject" data-segment="${id}">Reject and regenerate with this prompt</button>
</div>`
      : '';
  const rejected = segment.rejectedClips.length
    ? `<p>rejected earlier: ${segment.rejectedClips.map((clip) => `round ${clip.round} <span class="prompt">${escapeHtml(clip.promptText)}</span>`).join('; ')}</p>`
    : '';
  return `<section class="segment" id="segment-${id}" data-state="${escapeHtml(segment.state)}">
<div>${video}</div>
<div>
  <h2>${id} <span class="state state-${escapeHtml(segment.state)}">${escapeHtml(segment.state)}</span> <small>round ${segment.round}, ${formatMs(segment.recordInMs)}–${formatMs(segment.recordOutMs)}</small></h2>
  <p class="text">${escapeHtml(segment.text)}</p>
  <p>prompt: <span class="prompt">${escapeHtml(segment.promptText)}</span></p>
  ${segment.error ? `<p class="message">${escapeHtml(segment.error)}</p>` : ''}
  ${rejected}
  ${actions}
  <p class="message" data-message="${id}"></p>
</div>
</section>`;
}

/** What the page shows of the project's state: when it changes, an open page reloads. */
export function progressSignature(progress: BrollProgress): string {
  return [progress.state, ...progress.segments.map((segment) => `${segment.segmentId}:${segment.state}:${segment.round}`)].join(',');
}

function formatMs(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function renderProject(workflowId: string, progress: BrollProgress, clipUrls: ClipUrls, nonce: string): string {
  const open = progress.state === 'awaiting-review' || progress.state === 'generating';
  const { counts } = progress;
  const header = `<p><a href="/">all projects</a></p>
<h1 id="project" data-state="${escapeHtml(progress.state)}">${escapeHtml(progress.projectId)} <span class="state">${escapeHtml(progress.state)}</span></h1>
<p id="summary">${progress.segments.length} segments: ${counts.approved} approved, ${counts['awaiting-review']} awaiting review, ${counts.generating} generating, ${counts.failed} failed · review round ${progress.round} of ${progress.maxReviewRounds} · ${progress.creditsSpent} credits${progress.reviewDeadline ? ` · review until ${escapeHtml(progress.reviewDeadline)}` : ''}</p>`;
  const finalize = open
    ? `<div id="finalize-box"><label><input type="checkbox" id="allow-unapproved"> finalize with unapproved segments</label>
<button type="button" id="finalize">Finalize the edit list</button><p class="message" id="finalize-message"></p></div>`
    : '';
  const segments = progress.segments.map((segment) => renderSegment(segment, clipUrls.get(segment.segmentId), open)).join('\n');
  return layout(
    `Review ${progress.projectId}`,
    nonce,
    `${header}${finalize}${segments}`,
    pageScript(workflowId),
    progressSignature(progress),
  );
}

/** Posts the editor's decisions to this server, which runs the Workflow Update; shows the validator's refusal. */
function pageScript(workflowId: string): string {
  // JSON.stringify alone would let "</script>" through; \u003c keeps it inert inside the script element.
  const base = JSON.stringify(`/projects/${encodeURIComponent(workflowId)}`).replace(/</g, '\\u003c');
  return `
const base = ${base};
async function post(path, body) {
  const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
  let answer = {};
  try { answer = await response.json(); } catch { answer = { error: response.status + ' ' + response.statusText }; }
  return { ok: response.ok, answer };
}
function show(element, text, ok) { element.textContent = text; element.classList.toggle('ok', Boolean(ok)); }
async function decide(segmentId, decision, button) {
  const message = document.querySelector('[data-message="' + CSS.escape(segmentId) + '"]');
  button.disabled = true;
  show(message, 'sending…', true);
  const { ok, answer } = await post('/review', { decisions: [Object.assign({ segmentId }, decision)] });
  button.disabled = false;
  if (!ok) return show(message, answer.error || 'refused', false);
  show(message, decision.action === 'approve' ? 'approved' : 'rejected: regenerating', true);
  setTimeout(() => location.reload(), 300);
}
for (const button of document.querySelectorAll('button.approve'))
  button.addEventListener('click', () => decide(button.dataset.segment, { action: 'approve' }, button));
for (const button of document.querySelectorAll('button.reject'))
  button.addEventListener('click', () => {
    const segmentId = button.dataset.segment;
    const promptText = document.querySelector('textarea[data-segment="' + CSS.escape(segmentId) + '"]').value;
    decide(segmentId, { action: 'reject', promptText }, button);
  });
const finalize = document.getElementById('finalize');
if (finalize) finalize.addEventListener('click', async () => {
  const message = document.getElementById('finalize-message');
  finalize.disabled = true;
  show(message, 'finalizing…', true);
  const { ok, answer } = await post('/finalize', { allowUnapproved: document.getElementById('allow-unapproved').checked });
  finalize.disabled = false;
  if (!ok) return show(message, answer.error || 'refused', false);
  show(message, 'finalized: s3://' + answer.editList.bucket + '/' + answer.editList.edlKey, true);
  // The project has ended: it takes no more decisions.
  for (const button of document.querySelectorAll('button')) button.disabled = true;
  finalize.dataset.edlKey = answer.editList.edlKey;
});
// While clips are generating, look again when a segment changes state, unless the editor is typing.
const signature = document.body.dataset.signature;
if (document.querySelector('[data-state="generating"]'))
  setInterval(async () => {
    const response = await fetch(base + '/signature', { credentials: 'same-origin' });
    if (!response.ok) return;
    const now = (await response.json()).signature;
    if (now !== signature && !(document.activeElement instanceof HTMLTextAreaElement)) location.reload();
  }, 3000);
`;
}
