import { recordAudit } from '../audit/index.ts';
import { assertProviderExists } from '../organisation/index.ts';
import { DomainError } from '../shared/errors.ts';
import { encryptPii, maskPhone } from '../shared/pii.ts';
import { findInScope } from '../shared/scope.ts';
import { businessDay } from '../shared/time.ts';
import { SeniorHistoryModel, SeniorModel, type SeniorDoc, type SeniorStatus } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { EDITABLE_STATUSES } from './senior.state-machine.ts';
import { toSeniorView, type SeniorView } from './senior.view.ts';
import { basisChangeFor } from './voucher-basis.ts';
import type { SeniorContext } from './seniors.context.ts';
import type { UpdateSeniorInput } from './seniors.schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { SENIOR_STATUS_ZH } from './senior.state-machine.ts';

type Change = { before: unknown; after: unknown };

/**
 * Edits the record. Categories and care level count for vouchers from the next month (PRODUCT.md
 * §5), which the history entry records as `effectiveMonth`. The update is conditional on the
 * `updatedAt` it read, so two concurrent edits cannot silently overwrite each other (409).
 */
export async function updateSenior(id: string, patch: UpdateSeniorInput, ctx: SeniorContext): Promise<SeniorView> {
  const now = ctx.now ?? new Date();
  const today = businessDay(now, ctx.config.businessTimeZone);
  const senior = await findInScope<SeniorDoc>(SeniorModel, id, seniorScope, ctx.actor);
  if (!EDITABLE_STATUSES.includes(senior.status as SeniorStatus)) {
    throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(`${SENIOR_STATUS_ZH[senior.status]}的老人档案不能修改`, `a ${senior.status} record cannot be edited`) }]);
  }
  if (patch.assessedAt && patch.assessedAt > today) throw new DomainError('VALIDATION_FAILED', [{ path: 'assessedAt', message: ctx.lang === 'zh' ? '评估日期不能晚于今天' : 'the assessment date cannot be in the future' }]);
  if (patch.preferredProviderId) await assertProviderExists(patch.preferredProviderId, 'preferredProviderId', ctx.lang);

  const set: Record<string, unknown> = {};
  const changes: Record<string, Change> = {};
  const record = (field: string, before: unknown, after: unknown, stored: unknown = after) => {
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    changes[field] = { before, after };
    set[field] = stored;
  };
  if (patch.phone !== undefined) record('phoneMasked', senior.phoneMasked, maskPhone(patch.phone));
  if (patch.phone !== undefined && changes.phoneMasked) set.phoneEncrypted = encryptPii(ctx.config.pii, patch.phone);
  if (patch.address !== undefined) record('address', senior.address, patch.address);
  if (patch.location !== undefined) record('location', senior.location ?? null, patch.location);
  if (patch.livingArrangement !== undefined) record('livingArrangement', senior.livingArrangement, patch.livingArrangement);
  if (patch.categories !== undefined) record('categories', [...senior.categories].sort(), [...patch.categories].sort(), patch.categories);
  if (patch.careLevel !== undefined) record('careLevel', senior.careLevel, patch.careLevel);
  if (patch.assessedAt !== undefined) record('assessedAt', senior.assessedAt, patch.assessedAt);
  if (patch.preferredProviderId !== undefined) record('preferredProviderId', senior.preferredProviderId ?? null, patch.preferredProviderId);
  if (patch.emergencyContacts !== undefined) {
    const contacts = patch.emergencyContacts.map((c) => ({ name: c.name, relation: c.relation, phoneEncrypted: encryptPii(ctx.config.pii, c.phone), phoneMasked: maskPhone(c.phone) }));
    const masked = (list: { name: string; relation: string; phoneMasked: string }[]) => list.map((c) => ({ name: c.name, relation: c.relation, phoneMasked: c.phoneMasked }));
    record('emergencyContacts', masked(senior.emergencyContacts), masked(contacts), contacts);
  }
  if (Object.keys(changes).length === 0) return toSeniorView(senior, ctx.config.businessTimeZone, now);
  const affectsVouchers = 'categories' in changes || 'careLevel' in changes || 'assessedAt' in changes;
  if (affectsVouchers) {
    Object.assign(set, basisChangeFor(senior, {
      categories: patch.categories ?? [...senior.categories], careLevel: patch.careLevel ?? senior.careLevel, assessedAt: patch.assessedAt ?? senior.assessedAt,
    }, now, ctx.config.businessTimeZone));
  }

  const updated = await SeniorModel.findOneAndUpdate({ _id: id, updatedAt: senior.updatedAt, status: senior.status }, { $set: set }, { returnDocument: 'after' }).lean();
  if (!updated) throw new DomainError('INVALID_TRANSITION', [{ path: '', message: bilingual('该老人信息刚被他人修改，请刷新后重试', 'the senior changed meanwhile; reload and retry') }]);
  const effectiveMonth = affectsVouchers ? (set.voucherBasisNext as { fromMonth: string }).fromMonth : null;
  await SeniorHistoryModel.create({ seniorId: id, at: now, actorId: ctx.actor.id, action: 'update', changes, effectiveMonth });
  await recordAudit({ actor: ctx.actor, action: 'senior.update', entityType: 'senior', entityId: id, requestId: ctx.requestId, after: { changes, effectiveMonth } });
  return toSeniorView(updated, ctx.config.businessTimeZone, now);
}
