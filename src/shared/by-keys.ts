/**
 * Query options for a find by keys ({_id: {$in: keys}}) that can match at most `count` documents:
 * the whole answer in the first batch and the cursor closed with it. Left to the driver's default
 * (101, then a getMore) a batch of 500 keys took five round trips, and one more to learn the end.
 */
export const byKeys = (count: number) => ({ batchSize: Math.max(count, 1), limit: Math.max(count, 1) });
