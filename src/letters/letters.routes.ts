import type { Response } from 'express';
import { getCommunity, type CommunityView } from '../organisation/index.ts';
import { getSenior } from '../seniors/index.ts';
import { DomainError } from '../shared/errors.ts';
import { attachmentDisposition } from '../shared/http/attachment.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { bilingual } from '../shared/i18n.ts';
import type { Actor } from '../shared/roles.ts';
import { businessMonth } from '../shared/time.ts';
import { seniorCardPdf } from './card.pdf.ts';
import { cardParams, lettersQuery } from './letters.schemas.ts';
import { buildCommunityLetters } from './letters.service.ts';
import { storedLetterPdf } from './letters.store.ts';

const { router, route } = createRouteGroup('/api/v1');
const tags = ['letters'];
const PDF = 'application/pdf';

route({
  method: 'get', path: '/letters', summary: 'A community\'s monthly letters as one PDF: an A4 page per active senior (vouchers, visits, expiry rule, how to complain)', tags,
  access: ['community_staff', 'admin'], query: lettersQuery,
  cost: 'export',
  success: {
    status: 200, files: [PDF],
    description: 'The PDF. The one the monthly-letters job stored (2nd of the month, 06:00, for the month before) when it has made it; '
      + 'otherwise made on the spot from the ledger and the visits as they are now (the current month: so far). Community staff: their communities only (else 404).',
  },
  handler: async ({ query, actor, config }, _req, res) => {
    const community = await communityInScope(query.communityId, actor);
    if (query.month > businessMonth(new Date(), config.businessTimeZone)) {
      throw new DomainError('VALIDATION_FAILED', [{ path: 'month', message: bilingual('不能选择还没到的月份', 'the month has not begun yet') }]);
    }
    const stored = await storedLetterPdf(query.month, community.id);
    const pdf = stored?.pdf ?? (await buildCommunityLetters(community, query.month, config)).pdf;
    const [year, month] = query.month.split('-');
    sendPdf(res, pdf, `告知书-${community.name}-${year}年${month}月.pdf`, `letters-${query.month}-${community.code}.pdf`);
  },
});

route({
  method: 'get', path: '/seniors/:id/card', summary: 'The senior\'s card to print and cut out: name, community, service hotline and how to use the confirmation PIN (never the PIN)', tags,
  access: ['community_staff', 'admin'], params: cardParams,
  cost: 'export',
  success: { status: 200, files: [PDF], description: 'The card as a one-page A4 PDF. Community staff: seniors of their communities only (else 404).' },
  handler: async ({ params, actor, config, requestId, lang }, _req, res) => {
    const senior = await getSenior(params.id, { actor, config, requestId, lang });
    const community = await getCommunity(senior.communityId);
    const pdf = await seniorCardPdf({ seniorName: senior.name, communityName: community?.name ?? '', hotline: config.serviceHotline });
    sendPdf(res, pdf, `服务卡-${senior.name}.pdf`, `senior-card-${senior.id}.pdf`);
  },
});

/** Admin: any community; community staff: theirs. Outside the scope as missing (404), as everywhere. */
async function communityInScope(communityId: string, actor: Actor): Promise<CommunityView> {
  const isInScope = actor.role === 'admin' || actor.communityIds.includes(communityId);
  const community = isInScope ? await getCommunity(communityId) : null;
  if (!community) throw new DomainError('NOT_FOUND');
  return community;
}

function sendPdf(res: Response, pdf: Buffer, fileName: string, asciiFileName: string): void {
  res.status(200);
  res.setHeader('Content-Type', PDF);
  res.setHeader('Content-Disposition', attachmentDisposition(fileName, asciiFileName));
  res.setHeader('Cache-Control', 'no-store');
  res.end(pdf);
}

export const lettersRouter = router;
