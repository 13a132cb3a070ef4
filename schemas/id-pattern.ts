/** Ids become workflow ids and S3 key segments: no slashes, no dots-only segments, no traversal. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
