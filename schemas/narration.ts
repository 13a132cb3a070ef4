/**
 * The narrator's pace, the one measure the planner (cutting chunks) and the review room (new narration a
 * teacher gives) both hold text to: words a narrator speaks, and how long they take at a pace.
 */

/** Words a narrator speaks: tokens with a letter or digit in them. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

/** How long `words` take to say at `wordsPerSecond`, ms. */
export function spoken(words: number, wordsPerSecond: number): number {
  return Math.round((words / wordsPerSecond) * 1000);
}
