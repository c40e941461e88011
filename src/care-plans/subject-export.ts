import { CarePlanModel } from './care-plan.model.ts';
import type { CarePlanView } from './care-plans.schemas.ts';
import { toCarePlanView } from './care-plans.service.ts';

/** Every care plan of the senior, oldest first, for their data-subject export. */
export async function carePlansOfSenior(seniorId: string): Promise<CarePlanView[]> {
  return (await CarePlanModel.find({ seniorId }).sort({ _id: 1 }).lean()).map(toCarePlanView);
}
