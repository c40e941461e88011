import type { Actor } from '../shared/roles.ts';
import { withinScope } from '../shared/scope.ts';
import { businessDay } from '../shared/time.ts';
import { ageOn } from './id-number.ts';
import type { SeniorDoc, SeniorStatus } from './senior.model.ts';
import { SeniorModel } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { ADVANCED_AGE } from './senior.view.ts';
import { FACTS_PROJECTION, factsOf, seniorStatusAt } from './settlement-facts.ts';

/** A senior as reports count them: where, in which categories, in which status. No PII. */
export interface SeniorForReports {
  seniorId: string;
  communityId: string;
  streetId: string;
  status: SeniorStatus;
  /** The voucher categories of the month, plus `advanced_age` when 80 or older on the day counted. */
  categories: string[];
}

/**
 * The registry in the actor's scope as it stood at `asOf` (statuses from each senior's status log;
 * categories of `month`), in batches. Seniors enrolled after `asOf` are left out.
 */
export async function* seniorsForReports(actor: Actor, month: string, asOf: Date, timeZone: string, batchSize = 1000): AsyncGenerator<SeniorForReports[]> {
  const projection = { ...FACTS_PROJECTION, communityId: 1, streetId: 1, birthDate: 1, enrolledAt: 1 };
  const day = businessDay(asOf, timeZone);
  let batch: SeniorForReports[] = [];
  for await (const senior of SeniorModel.find(withinScope(seniorScope, actor), projection).sort({ _id: 1 }).lean().cursor({ batchSize })) {
    const doc = senior as SeniorDoc;
    if (doc.enrolledAt.getTime() > asOf.getTime()) continue;
    const facts = factsOf(doc, month);
    batch.push({
      seniorId: facts.seniorId,
      communityId: doc.communityId,
      streetId: doc.streetId,
      status: seniorStatusAt(facts, asOf, timeZone),
      categories: ageOn(doc.birthDate, day) >= ADVANCED_AGE ? [...facts.categories, 'advanced_age'] : facts.categories,
    });
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
