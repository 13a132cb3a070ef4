import type { ReviewItemProgress, ReviewTake, ReviewView, ReviewVoiceover } from '../../schemas';

/**
 * The review page: plain server-rendered HTML and one small inline script, for any workload's review
 * room (B-roll segments, explainer chunks; the fields a workload adds, such as a segment's narration and
 * timecodes, are shown when present). A B-roll project's contact sheet comes first, then each item's takes
 * side by side, each playing, each with its select button, and a new prompt to reject the round with; a
 * narrated item's voiceover plays beneath, with new text to have it redone. Every string that came from a
 * user (transcript text, prompts, ids, errors) goes through `escapeHtml`; the script reads ids from data
 * attributes and never builds HTML from them.
 */

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]!);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** What the page needs to know of a workload: its path, its name, its finalize button, whether it keeps a contact sheet. */
export interface PageWorkload {
  path: string;
  title: string;
  /** One reviewed item: "segment", "chunk". */
  item: string;
  finalizeLabel: string;
  contactSheets: boolean;
}

export interface ProjectListing {
  workload: PageWorkload;
  workflowId: string;
  progress?: ReviewView;
  error?: string;
}

/** Presigned URLs made for this response only: each take's clip by `<key>/<take>`, each item's voiceover by key, and the contact sheet. */
export interface MediaUrls {
  takes: ReadonlyMap<string, string>;
  voiceovers: ReadonlyMap<string, string>;
  contactSheet?: string;
}

/** What a workload's item may carry beside the review room's fields. */
type Item = ReviewItemProgress & { text?: string; recordInMs?: number; recordOutMs?: number; photo?: string };

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin: 0 0 .4rem; }
.item { border: 1px solid #ccc; border-radius: 6px; padding: .8rem; margin: .8rem 0; }
.takes { display: flex; flex-wrap: wrap; gap: .8rem; margin: .6rem 0; }
.take { margin: 0; padding: .4rem; border: 2px solid transparent; border-radius: 6px; }
.take.selected { border-color: #1b6e1b; background: #eefaee; }
.take video { width: 360px; background: #000; display: block; }
.voiceover { margin: .6rem 0; padding: .4rem; border-left: 3px solid #ccc; } .voiceover audio { display: block; margin: .3rem 0; }
.take figcaption { margin-top: .3rem; display: flex; gap: .6rem; align-items: center; }
#contact-sheet { max-width: 100%; border: 1px solid #ccc; }
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
    const link = `<a href="/${project.workload.path}/${encodeURIComponent(project.workflowId)}">${escapeHtml(project.progress?.workloadId ?? project.workflowId)}</a>`;
    const kind = `<td>${escapeHtml(project.workload.title)}</td>`;
    if (!project.progress)
      return `<tr><td>${link}</td>${kind}<td colspan="3" class="message">${escapeHtml(project.error ?? 'no progress')}</td></tr>`;
    const { counts, pendingDecisions, round, maxReviewRounds } = project.progress;
    return `<tr><td>${link}</td>${kind}<td>${pendingDecisions.length} to review</td><td>${counts.approved} approved, ${counts.generating} generating, ${counts.failed} failed</td><td>round ${round} of ${maxReviewRounds}</td></tr>`;
  });
  const body =
    projects.length === 0
      ? '<p id="no-projects">Nothing is awaiting review.</p>'
      : `<table id="projects"><thead><tr><th>awaiting review</th><th>kind</th><th>decisions</th><th>items</th><th>review</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return layout('Review', nonce, `<h1>Awaiting review</h1>${body}`);
}

function renderTake(item: Item, take: ReviewTake, url: string | undefined, open: boolean): string {
  const key = escapeHtml(item.key);
  const selected = item.selectedTake === take.take;
  const video = url
    ? `<video controls preload="metadata" src="${escapeHtml(url)}" data-key="${key}" data-take="${take.take}"></video>`
    : `<p>${take.state === 'generating' ? 'generating…' : escapeHtml(take.error ?? 'no clip')}</p>`;
  const select =
    open && take.state === 'ready' && item.state !== 'generating'
      ? `<button type="button" class="select" data-key="${key}" data-take="${take.take}">${selected ? 'Selected' : `${item.takes.length === 1 ? 'Approve' : 'Select'} take ${take.take}`}</button>`
      : '';
  return `<figure class="take${selected ? ' selected' : ''}" data-take="${take.take}" data-state="${escapeHtml(take.state)}">${video}
<figcaption>take ${take.take}${selected ? ' ✓ selected' : ''} <span class="state state-${escapeHtml(take.state)}">${escapeHtml(take.state)}</span>${select}</figcaption></figure>`;
}

/** A narrated item's voiceover: it plays, says its text, and (while the room is open) takes new text to be redone with. */
function renderVoiceover(workload: PageWorkload, item: Item, voiceover: ReviewVoiceover, url: string | undefined, open: boolean): string {
  const key = escapeHtml(item.key);
  const audio = url
    ? `<audio controls preload="metadata" src="${escapeHtml(url)}" data-key="${key}" data-take="${voiceover.take}"></audio>`
    : `<p>${voiceover.state === 'generating' ? 'generating…' : escapeHtml(voiceover.error ?? 'no audio')}</p>`;
  const redo =
    open && item.state !== 'generating'
      ? `<textarea class="new-text" data-key="${key}" placeholder="new narration for this ${escapeHtml(workload.item)}">${escapeHtml(voiceover.text)}</textarea>
  <button type="button" class="revoice" data-key="${key}">Redo the voiceover with this text</button>`
      : '';
  return `<div class="voiceover" data-take="${voiceover.take}" data-state="${escapeHtml(voiceover.state)}">voiceover take ${voiceover.take} <span class="state state-${escapeHtml(voiceover.state)}">${escapeHtml(voiceover.state)}</span>${audio}
  ${redo}</div>`;
}

function renderItem(workload: PageWorkload, item: Item, urls: MediaUrls, open: boolean): string {
  const key = escapeHtml(item.key);
  const takes = item.takes.map((take) => renderTake(item, take, urls.takes.get(`${item.key}/${take.take}`), open)).join('');
  const voiceover = item.voiceover ? renderVoiceover(workload, item, item.voiceover, urls.voiceovers.get(item.key), open) : '';
  const reject =
    open && item.state !== 'generating'
      ? `<div class="actions">
  <textarea class="new-prompt" data-key="${key}" placeholder="a new prompt for this ${escapeHtml(workload.item)}">${escapeHtml(item.promptText)}</textarea>
  <button type="button" class="reject" data-key="${key}">Reject ${item.takes.length === 1 ? 'this take' : 'these takes'}: a new round with this prompt</button>
</div>`
      : '';
  const rejected = item.rejectedRounds.length
    ? `<p>rejected earlier: ${item.rejectedRounds.map((round) => `round ${round.round} (takes ${round.takes.map((take) => take.take).join(', ')}) <span class="prompt">${escapeHtml(round.promptText)}</span>`).join('; ')}</p>`
    : '';
  const timing =
    item.recordInMs !== undefined && item.recordOutMs !== undefined ? `, ${formatMs(item.recordInMs)}–${formatMs(item.recordOutMs)}` : '';
  return `<section class="item" id="item-${key}" data-state="${escapeHtml(item.state)}">
  <h2>${key} <span class="state state-${escapeHtml(item.state)}">${escapeHtml(item.state)}</span> <small>round ${item.round}${timing}</small></h2>
  ${item.text ? `<p class="text">${escapeHtml(item.text)}</p>` : ''}
  ${item.photo ? `<p>animates the photograph <span class="prompt">${escapeHtml(item.photo)}</span></p>` : ''}
  <p>prompt: <span class="prompt">${escapeHtml(item.promptText)}</span></p>
  <div class="takes">${takes}</div>
  ${voiceover}
  ${item.error ? `<p class="message">${escapeHtml(item.error)}</p>` : ''}
  ${rejected}
  ${reject}
  <p class="message" data-message="${key}"></p>
</section>`;
}

/** What the page shows of the workload's state: when it changes, an open page reloads. */
export function progressSignature(progress: ReviewView): string {
  return [
    progress.state,
    progress.contactSheet?.takes ?? 0,
    ...progress.items.map(
      (item) =>
        `${item.key}:${item.state}:${item.round}:${item.takes.map((take) => take.state[0]).join('')}:${item.selectedTake ?? ''}:${item.voiceover ? `${item.voiceover.take}${item.voiceover.state[0]}` : ''}`,
    ),
  ].join(',');
}

function formatMs(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function renderProject(workload: PageWorkload, workflowId: string, progress: ReviewView, urls: MediaUrls, nonce: string): string {
  const { open, counts } = progress;
  const sheet = !workload.contactSheets
    ? ''
    : urls.contactSheet
      ? `<img id="contact-sheet" alt="contact sheet: a frame of every take" src="${escapeHtml(urls.contactSheet)}">`
      : '<p id="contact-sheet-pending">The contact sheet is made once the takes are in.</p>';
  const header = `<p><a href="/">everything awaiting review</a></p>
<h1 id="project" data-state="${escapeHtml(progress.state)}">${escapeHtml(progress.workloadId)} <span class="state">${escapeHtml(progress.state)}</span></h1>
${sheet}
<p id="summary">${progress.items.length} ${escapeHtml(workload.item)}s, ${progress.takesPerItem} take${progress.takesPerItem === 1 ? '' : 's'} each: ${counts.approved} approved, ${counts['awaiting-review']} awaiting review, ${counts.generating} generating, ${counts.failed} failed · review round ${progress.round} of ${progress.maxReviewRounds} · ${progress.creditsSpent} credits${progress.reviewDeadline ? ` · review until ${escapeHtml(progress.reviewDeadline)}` : ''}</p>`;
  const finalize = open
    ? `<div id="finalize-box"><label><input type="checkbox" id="allow-unapproved"> finalize with items not yet approved</label>
<button type="button" id="finalize">${escapeHtml(workload.finalizeLabel)}</button><p class="message" id="finalize-message"></p></div>`
    : '';
  const items = progress.items.map((item) => renderItem(workload, item, urls, open)).join('\n');
  return layout(
    `Review ${progress.workloadId}`,
    nonce,
    `${header}${finalize}${items}`,
    pageScript(workload, workflowId),
    progressSignature(progress),
  );
}

/** Posts the reviewer's decisions to this server, which runs the Workflow Update; shows the validator's refusal. */
function pageScript(workload: PageWorkload, workflowId: string): string {
  // JSON.stringify alone would let "</script>" through; \u003c keeps it inert inside the script element.
  const base = JSON.stringify(`/${workload.path}/${encodeURIComponent(workflowId)}`).replace(/</g, '\\u003c');
  return `
const base = ${base};
async function post(path, body) {
  const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
  let answer = {};
  try { answer = await response.json(); } catch { answer = { error: response.status + ' ' + response.statusText }; }
  return { ok: response.ok, answer };
}
function show(element, text, ok) { element.textContent = text; element.classList.toggle('ok', Boolean(ok)); }
async function decide(key, decision, button) {
  const message = document.querySelector('[data-message="' + CSS.escape(key) + '"]');
  button.disabled = true;
  show(message, 'sending…', true);
  const { ok, answer } = await post('/review', { decisions: [Object.assign({ key }, decision)] });
  button.disabled = false;
  if (!ok) return show(message, answer.error || 'refused', false);
  show(message, decision.action === 'select' ? 'take ' + decision.take + ' selected' : decision.action === 'revoice' ? 'a new voiceover is generating' : 'rejected: a new round is generating', true);
  setTimeout(() => location.reload(), 300);
}
for (const button of document.querySelectorAll('button.select'))
  button.addEventListener('click', () => decide(button.dataset.key, { action: 'select', take: Number(button.dataset.take) }, button));
for (const button of document.querySelectorAll('button.reject'))
  button.addEventListener('click', () => {
    const key = button.dataset.key;
    const promptText = document.querySelector('textarea.new-prompt[data-key="' + CSS.escape(key) + '"]').value;
    decide(key, { action: 'reject', promptText }, button);
  });
for (const button of document.querySelectorAll('button.revoice'))
  button.addEventListener('click', () => {
    const key = button.dataset.key;
    const text = document.querySelector('textarea.new-text[data-key="' + CSS.escape(key) + '"]').value;
    decide(key, { action: 'revoice', text }, button);
  });
const finalize = document.getElementById('finalize');
if (finalize) finalize.addEventListener('click', async () => {
  const message = document.getElementById('finalize-message');
  finalize.disabled = true;
  show(message, 'finalizing…', true);
  const { ok, answer } = await post('/finalize', { allowUnapproved: document.getElementById('allow-unapproved').checked });
  finalize.disabled = false;
  if (!ok) return show(message, answer.error || 'refused', false);
  show(message, answer.delivered.text, true);
  // The review has ended: it takes no more decisions.
  for (const button of document.querySelectorAll('button')) button.disabled = true;
  finalize.dataset.deliveredKey = answer.delivered.key;
});
// While takes are generating (or the contact sheet is not made yet), look again when anything changes, unless the reviewer is typing.
const signature = document.body.dataset.signature;
if (document.querySelector('[data-state="generating"]') || document.getElementById('contact-sheet-pending'))
  setInterval(async () => {
    const response = await fetch(base + '/signature', { credentials: 'same-origin' });
    if (!response.ok) return;
    const now = (await response.json()).signature;
    if (now !== signature && !(document.activeElement instanceof HTMLTextAreaElement)) location.reload();
  }, 3000);
`;
}
