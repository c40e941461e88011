import type { Model } from 'mongoose';
import { z } from 'zod';

/** `?page=1&pageSize=20`, pageSize at most 200 (API.md conventions). */
export const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export const skipOf = (page: number, pageSize: number) => (page - 1) * pageSize;

/** One page of a query plus the total, the shape every list endpoint answers. */
export async function findPage<D, V>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model: schemas differ in options such as versionKey
  model: Model<any>,
  filter: Record<string, unknown>,
  sort: Record<string, 1 | -1>,
  paging: { page: number; pageSize: number },
  toView: (doc: D) => V,
): Promise<Page<V>> {
  const [docs, total] = await Promise.all([
    model.find(filter).sort(sort).skip(skipOf(paging.page, paging.pageSize)).limit(paging.pageSize).lean(),
    model.countDocuments(filter),
  ]);
  return { items: (docs as D[]).map(toView), page: paging.page, pageSize: paging.pageSize, total };
}
