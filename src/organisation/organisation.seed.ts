import type { z } from 'zod';
import { isDomainError } from '../shared/errors.ts';
import { parseInput } from '../shared/http/validate.ts';
import type { PiiKeys } from '../shared/pii.ts';
import { bankAccountBody, storedBankAccount } from './bank-account.ts';
import { createCaregiverBody } from './caregivers.schemas.ts';
import { addCaregiver, toCaregiverView, type CaregiverView } from './caregivers.service.ts';
import { createContractBody } from './contracts.schemas.ts';
import { createContract, toContractView, type ContractView } from './contracts.service.ts';
import { ContractModel } from './contracts.model.ts';
import { normaliseCreditCode } from './credit-code.ts';
import { CommunityModel, StreetModel } from './divisions.model.ts';
import { createCommunityBody, createStreetBody } from './divisions.schemas.ts';
import { createCommunity, createStreet, toCommunityView, toStreetView, type CommunityView, type StreetView } from './divisions.service.ts';
import { SYSTEM_WRITE } from './organisation.context.ts';
import { CaregiverModel, ProviderModel } from './providers.model.ts';
import { createProviderBody } from './providers.schemas.ts';
import { createProvider, toProviderView, type ProviderView } from './providers.service.ts';
import { ServiceTypeModel } from './service-types.model.ts';
import { createServiceTypeBody } from './service-types.schemas.ts';
import { createServiceType, toServiceTypeView, type ServiceTypeView } from './service-types.service.ts';

/*
 * Idempotent helpers for the demo seed: each finds the record by its natural key and creates it
 * (validated like an API request, audited as 'system') only when it is missing; an existing record
 * is returned as it is, so edits made through the API survive a restart. Two starts racing on the
 * same key end with one record: the loser's create is refused and it reads the winner's.
 */
async function findOrCreate<T>(find: () => Promise<T | null>, create: () => Promise<T>): Promise<T> {
  const existing = await find();
  if (existing) return existing;
  try {
    return await create();
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'DUPLICATE') throw error;
    const winner = await find();
    if (!winner) throw error;
    return winner;
  }
}

export async function upsertStreet(input: z.input<typeof createStreetBody>): Promise<StreetView> {
  const street = parseInput(createStreetBody, input, 'en');
  return findOrCreate(
    async () => { const found = await StreetModel.findOne({ code: street.code }).lean(); return found ? toStreetView(found) : null; },
    () => createStreet(SYSTEM_WRITE, street),
  );
}

export async function upsertCommunity(input: z.input<typeof createCommunityBody>): Promise<CommunityView> {
  const community = parseInput(createCommunityBody, input, 'en');
  return findOrCreate(
    async () => { const found = await CommunityModel.findOne({ code: community.code }).lean(); return found ? toCommunityView(found) : null; },
    () => createCommunity(SYSTEM_WRITE, community),
  );
}

export async function upsertProvider(input: z.input<typeof createProviderBody>): Promise<ProviderView> {
  const provider = parseInput(createProviderBody, input, 'en');
  const creditCode = normaliseCreditCode(provider.creditCode);
  return findOrCreate(
    async () => { const found = await ProviderModel.findOne({ creditCode }).lean(); return found ? toProviderView(found) : null; },
    () => createProvider(SYSTEM_WRITE, provider),
  );
}

/** Gives the provider this payee account unless it has one (an office's own entry is never overwritten). */
export async function ensureProviderBankAccount(keys: PiiKeys, providerId: string, input: z.input<typeof bankAccountBody>): Promise<void> {
  const account = parseInput(bankAccountBody, input, 'en');
  await ProviderModel.updateOne({ _id: providerId, bankAccount: null }, { $set: { bankAccount: storedBankAccount(keys, account) } });
}

export async function upsertCaregiver(keys: PiiKeys, input: { providerId: string } & z.input<typeof createCaregiverBody>): Promise<CaregiverView> {
  const { providerId, ...rest } = input;
  const caregiver = parseInput(createCaregiverBody, rest, 'en');
  return findOrCreate(
    async () => { const found = await CaregiverModel.findOne({ providerId, name: caregiver.name }).lean(); return found ? toCaregiverView(found) : null; },
    () => addCaregiver(SYSTEM_WRITE, keys, providerId, caregiver),
  );
}

export async function upsertServiceType(input: z.input<typeof createServiceTypeBody>): Promise<ServiceTypeView> {
  const type = parseInput(createServiceTypeBody, input, 'en');
  return findOrCreate(
    async () => { const found = await ServiceTypeModel.findOne({ code: type.code }).lean(); return found ? toServiceTypeView(found) : null; },
    () => createServiceType(SYSTEM_WRITE, type),
  );
}

export async function upsertContract(input: z.input<typeof createContractBody>): Promise<ContractView> {
  const contract = parseInput(createContractBody, input, 'en');
  return findOrCreate(
    async () => {
      const found = await ContractModel.findOne({ providerId: contract.providerId, validFrom: contract.validFrom }).lean();
      return found ? toContractView(found) : null;
    },
    () => createContract(SYSTEM_WRITE, contract),
  );
}
