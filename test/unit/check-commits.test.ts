import { MAX_SUBJECT, commitProblems } from '../../scripts/check-commits';

const commit = (subject: string, body = 'Why it changed.', merge = false) => ({ sha: 'a'.repeat(40), subject, body, merge });

test('a subject of at most 72 characters with a body passes', () => {
  expect(commitProblems(commit('x'.repeat(MAX_SUBJECT)))).toEqual([]);
});

test('a subject of 73 characters is refused, counted in characters not bytes', () => {
  expect(commitProblems(commit('x'.repeat(MAX_SUBJECT + 1)))).toEqual(['subject is 73 characters (at most 72)']);
  expect(commitProblems(commit('—'.repeat(MAX_SUBJECT)))).toEqual([]);
});

test('a commit without a body is refused; a merge needs none', () => {
  expect(commitProblems(commit('docs: one line', ' \n'))).toEqual(['no body: say why in the body']);
  expect(commitProblems(commit('Merge branch x', '', true))).toEqual([]);
});
