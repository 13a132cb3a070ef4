import { execFileSync } from 'node:child_process';

/**
 * Commits that read like a log: a subject of at most 72 characters that says what changed, and (merges aside)
 * a body that says why. Checked for every commit since the rule was adopted, so a clean clone checks the whole
 * history it will land. Outside a git checkout (an npm tarball) there is nothing to check.
 */
export const RULE_ADOPTED_AFTER = '576a6e1';
export const MAX_SUBJECT = 72;

export interface CommitMessage {
  sha: string;
  subject: string;
  body: string;
  merge: boolean;
}

/** What is wrong with one commit's message, or nothing. */
export function commitProblems(commit: CommitMessage): string[] {
  const problems: string[] = [];
  const length = [...commit.subject].length;
  if (length > MAX_SUBJECT) problems.push(`subject is ${length} characters (at most ${MAX_SUBJECT})`);
  if (commit.subject.trim() === '') problems.push('subject is empty');
  if (!commit.merge && commit.body.trim() === '') problems.push('no body: say why in the body');
  return problems;
}

function git(args: string[]): string {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function commitsIn(range: string[]): CommitMessage[] {
  const separator = '\u001e';
  const out = git(['log', `--format=%H%x1f%P%x1f%s%x1f%b${separator}`, ...range]);
  return out
    .split(separator)
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record.length > 0)
    .map((record) => {
      const [sha = '', parents = '', subject = '', body = ''] = record.split('\u001f');
      return { sha, subject, body, merge: parents.trim().split(' ').length > 1 };
    });
}

function main(): void {
  try {
    git(['rev-parse', '--git-dir']);
  } catch {
    console.log('commits: not a git checkout, nothing to check');
    return;
  }
  let commits: CommitMessage[];
  try {
    commits = commitsIn([`${RULE_ADOPTED_AFTER}..HEAD`]);
  } catch {
    // A shallow clone without the base: check the commits it has.
    commits = commitsIn(['-n', '50', 'HEAD']);
  }
  const failures = commits.flatMap((commit) =>
    commitProblems(commit).map((problem) => `${commit.sha.slice(0, 10)} "${commit.subject}": ${problem}`),
  );
  if (failures.length > 0) {
    console.error(`commits: ${failures.length} message(s) do not read like a log:\n${failures.join('\n')}`);
    process.exit(1);
  }
  console.log(`commits: ${commits.length} checked since ${RULE_ADOPTED_AFTER}, every subject ≤ ${MAX_SUBJECT} characters`);
}

if (require.main === module) main();
