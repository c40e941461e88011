import mongoose, { type Model } from 'mongoose';
import { z } from 'zod';
import { DomainError } from '../errors.ts';

/**
 * `?page=1&pageSize=20` (pageSize at most 200) or `?cursor=<nextCursor of the previous page>`
 * (API.md, second round). A cursor is a keyset position: the sort key of the last item seen, so
 * a walk by cursor never skips or repeats an item while new ones are added, and page N costs what
 * page 1 costs. `page` without a cursor still skips (page × pageSize items read); with a cursor
 * `page` is only echoed, for the caller's own count.
 */
export const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
  cursor: z.string().min(1).max(400).regex(/^[A-Za-z0-9_-]+$/, '翻页游标格式不正确').optional()
    .meta({ description: '上一页答复中的 nextCursor：从上一页最后一条之后继续（不重复、不遗漏）' }),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
    /** true when `total` is a lower bound: counting stopped at COUNT_BOUND matching items. */
    totalIsEstimate: z.boolean(),
    nextCursor: z.string().nullable(),
  });
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  totalIsEstimate: boolean;
  nextCursor: string | null;
}

export interface Paging {
  page: number;
  pageSize: number;
  cursor?: string;
}

export const skipOf = (page: number, pageSize: number) => (page - 1) * pageSize;

/**
 * Counting is the one part of a page that reads more than the page: past this many matching
 * items the count stops and the total says it is an estimate (`totalIsEstimate`), so no list
 * request decodes a district's whole history to print "共 N 条". Lists whose counts are
 * maintained (orders) answer exact totals from their counters instead.
 */
export const COUNT_BOUND = 500;

/**
 * How long one interactive read may run in the database. Past it the engine stops the query
 * (maxTimeMS: MongoDB and FerretDB both honour it on find and aggregate) and the request answers
 * 503 QUERY_TIMEOUT, so an abandoned or pathological list stops costing. Set at start from
 * READ_TIME_LIMIT_MS.
 */
let readTimeLimitMs = 5_000;
export function setReadTimeLimitMs(ms: number): void {
  readTimeLimitMs = ms;
}
export const readTimeLimit = () => readTimeLimitMs;

type SortSpec = Record<string, 1 | -1>;

export interface PageOptions {
  /** An exact total kept elsewhere (a maintained counter), or null to count with the bound. */
  total?: () => Promise<number | null>;
}

/**
 * A filter made of disjoint parts, each of which the engine walks from an index on its own (a
 * provider's orders: those given to it, by `providerId`, and those offered to it, among the open
 * offers), where one `$or` would be read whole. Pages by `_id` only: the parts are merged by it.
 */
export interface UnionFilter {
  union: Array<Record<string, unknown>>;
}

const isUnion = (filter: Record<string, unknown> | UnionFilter): filter is UnionFilter => Array.isArray((filter as UnionFilter).union);

/** One page of a query plus its total and the cursor of the next page: every list's shape. */
export async function findPage<D, V>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model: schemas differ in options such as versionKey
  model: Model<any>,
  filter: Record<string, unknown> | UnionFilter,
  sort: SortSpec,
  paging: Paging,
  toView: (doc: D) => V,
  options: PageOptions = {},
): Promise<Page<V>> {
  const keyset = withIdLast(sort);
  const skip = paging.cursor ? 0 : skipOf(paging.page, paging.pageSize);
  const position = paging.cursor ? afterCursor(keyset, decodeCursor(paging.cursor, keyset)) : null;
  const parts = isUnion(filter) ? filter.union : [filter];
  if (parts.length > 1 && Object.keys(keyset).join(',') !== '_id') throw new Error('findPage: a union of filters pages by _id alone');
  // One more than the page, to know whether there is a next one.
  const find = (part: Record<string, unknown>, partSkip: number, limit: number) =>
    model.find(position ? andFilter(part, position) : part).sort(keyset).skip(partSkip).limit(limit).maxTimeMS(readTimeLimitMs).lean() as Promise<D[]>;
  const [docs, counted] = await Promise.all([
    parts.length === 1 ? find(parts[0]!, skip, paging.pageSize + 1) : Promise.all(parts.map((part) => find(part, 0, skip + paging.pageSize + 1))).then((lists) => mergedById(lists, keyset._id!).slice(skip, skip + paging.pageSize + 1)),
    totalOf(model, parts, options),
  ]);
  const hasMore = docs.length > paging.pageSize;
  const items = hasMore ? docs.slice(0, paging.pageSize) : docs;
  const nextCursor = hasMore ? encodeCursor(keyset, items.at(-1) as Record<string, unknown>) : null;
  const totalIsEstimate = !counted.exact && counted.n >= COUNT_BOUND;
  // An estimate is at least what the caller has already walked past.
  const total = totalIsEstimate ? Math.max(counted.n, skip + items.length + (hasMore ? 1 : 0)) : counted.n;
  return { items: items.map(toView), page: paging.page, pageSize: paging.pageSize, total, totalIsEstimate, nextCursor };
}

function mergedById<D>(lists: D[][], direction: 1 | -1): D[] {
  const key = (doc: D) => String((doc as { _id: unknown })._id);
  const sorted = lists.flat().sort((a, b) => (key(a) < key(b) ? -direction : key(a) > key(b) ? direction : 0));
  // Parts are meant to be disjoint; an item in two of them still shows once.
  return sorted.filter((doc, i) => i === 0 || key(doc) !== key(sorted[i - 1]!));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
async function totalOf(model: Model<any>, parts: Array<Record<string, unknown>>, options: PageOptions): Promise<{ n: number; exact: boolean }> {
  const maintained = options.total ? await options.total() : null;
  if (maintained !== null) return { n: maintained, exact: true };
  const counts = await Promise.all(parts.map((part) => model.countDocuments(part, { limit: COUNT_BOUND, maxTimeMS: readTimeLimitMs })));
  return { n: Math.min(COUNT_BOUND, counts.reduce((sum, n) => sum + n, 0)), exact: false };
}

/** Every keyset ends with `_id`, which makes the order total (no two items tie). */
function withIdLast(sort: SortSpec): SortSpec {
  if ('_id' in sort) {
    const { _id, ...rest } = sort;
    return { ...rest, _id };
  }
  return { ...sort, _id: 1 };
}

function andFilter(filter: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  // Side by side when no key repeats, so `{_id: {$lt}}` stays top-level (the engine's index range).
  if (Object.keys(extra).every((key) => !(key in filter))) return { ...filter, ...extra };
  return { $and: [filter, extra] };
}

/** Items strictly after `position` in `keyset` order: (k1 > v1) or (k1 = v1 and k2 > v2) or … */
function afterCursor(keyset: SortSpec, position: unknown[]): Record<string, unknown> {
  const keys = Object.keys(keyset);
  const branches = keys.map((key, i) => {
    const branch: Record<string, unknown> = {};
    keys.slice(0, i).forEach((earlier, j) => { branch[earlier] = position[j]; });
    branch[key] = { [keyset[key] === 1 ? '$gt' : '$lt']: position[i] };
    return branch;
  });
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

// A cursor is base64url JSON of the last item's key values, typed so dates and ObjectIds come back
// as what they were: [["o", hex] | ["d", iso] | ["s", text] | ["n", number]].
type Encoded = ['o' | 'd' | 's' | 'n', string | number];

function encodeCursor(keyset: SortSpec, doc: Record<string, unknown>): string {
  const values = Object.keys(keyset).map((key): Encoded => {
    const value = key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown> | null)?.[part], doc);
    if (value instanceof mongoose.Types.ObjectId) return ['o', value.toHexString()];
    if (value instanceof Date) return ['d', value.toISOString()];
    if (typeof value === 'number') return ['n', value];
    return ['s', String(value ?? '')];
  });
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string, keyset: SortSpec): unknown[] {
  const invalid = () => new DomainError('VALIDATION_FAILED', [{ path: 'cursor', message: '翻页游标无效或已过期，请从第一页重新打开' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== Object.keys(keyset).length) throw invalid();
  return parsed.map((entry: unknown) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw invalid();
    const [type, value] = entry as [unknown, unknown];
    if (type === 'o' && typeof value === 'string' && /^[0-9a-f]{24}$/.test(value)) return new mongoose.Types.ObjectId(value);
    if (type === 'd' && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
    if (type === 'n' && typeof value === 'number' && Number.isFinite(value)) return value;
    if (type === 's' && typeof value === 'string' && value.length <= 200) return value;
    throw invalid();
  });
}
