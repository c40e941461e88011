// A realistic demo district: Shushan District (蜀山区), Hefei, Anhui — three sub-district offices,
// twelve communities with division codes under them, eight providers (one Starlight centre per
// street), the usual home-care services at plausible Hefei prices, contracts and one login per role.
// Codes follow the real formats (9-digit street, 12-digit community, GB 32100 credit codes); the
// places and organisations themselves are invented.

export const DEMO_PASSWORD = 'Starlight@2026';

export const demoStreets = [
  { code: '340104001', name: '三里庵街道' },
  { code: '340104002', name: '稻香村街道' },
  { code: '340104003', name: '琥珀街道' },
];

export const demoCommunities = [
  { code: '340104001001', name: '安居苑社区', streetCode: '340104001', location: { lng: 117.2541, lat: 31.8457 } },
  { code: '340104001002', name: '桐城路社区', streetCode: '340104001', location: { lng: 117.2602, lat: 31.8421 } },
  { code: '340104001003', name: '西园新村社区', streetCode: '340104001', location: { lng: 117.2488, lat: 31.8502 } },
  { code: '340104001004', name: '龙河路社区', streetCode: '340104001', location: { lng: 117.2575, lat: 31.8380 } },
  { code: '340104002001', name: '稻香村社区', streetCode: '340104002', location: { lng: 117.2436, lat: 31.8612 } },
  { code: '340104002002', name: '翠竹园社区', streetCode: '340104002', location: { lng: 117.2392, lat: 31.8655 } },
  { code: '340104002003', name: '望江西路社区', streetCode: '340104002', location: { lng: 117.2350, lat: 31.8580 } },
  { code: '340104002004', name: '南七里站社区', streetCode: '340104002', location: { lng: 117.2470, lat: 31.8549 } },
  { code: '340104003001', name: '琥珀山庄社区', streetCode: '340104003', location: { lng: 117.2630, lat: 31.8695 } },
  { code: '340104003002', name: '五里墩社区', streetCode: '340104003', location: { lng: 117.2521, lat: 31.8733 } },
  { code: '340104003003', name: '西一环社区', streetCode: '340104003', location: { lng: 117.2685, lat: 31.8661 } },
  { code: '340104003004', name: '亳州路社区', streetCode: '340104003', location: { lng: 117.2718, lat: 31.8707 } },
];

/** Service catalogue; prices are per unit in fen. */
export const demoServiceTypes = [
  { code: 'meal_delivery', name: '助餐', unit: 'meal', minutesPerUnit: 20, emergency: false, onSite: false, unitPriceFen: 1500 },
  { code: 'cleaning', name: '助洁', unit: 'hour', minutesPerUnit: 60, emergency: false, onSite: false, unitPriceFen: 4000 },
  { code: 'bathing', name: '助浴', unit: 'visit', minutesPerUnit: 60, emergency: false, onSite: false, unitPriceFen: 8000 },
  { code: 'medical_escort', name: '助医', unit: 'visit', minutesPerUnit: 180, emergency: false, onSite: false, unitPriceFen: 10000 },
  { code: 'rehab_nursing', name: '康复护理', unit: 'hour', minutesPerUnit: 60, emergency: false, onSite: false, unitPriceFen: 8000 },
  { code: 'companionship', name: '精神慰藉', unit: 'hour', minutesPerUnit: 60, emergency: false, onSite: false, unitPriceFen: 3000 },
  { code: 'emergency_help', name: '助急', unit: 'visit', minutesPerUnit: 30, emergency: true, onSite: false, unitPriceFen: 5000 },
  { code: 'appliance_repair', name: '家电维修', unit: 'visit', minutesPerUnit: 60, emergency: false, onSite: false, unitPriceFen: 5000 },
  { code: 'day_care', name: '日间照料', unit: 'visit', minutesPerUnit: 480, emergency: false, onSite: true, unitPriceFen: 6000 },
] as const;

/** creditCodeBase: the first 17 characters; the seed appends the GB 32100 check character. */
export const demoProviders = [
  {
    key: 'starlight-sanlian', name: '三里庵街道星光老年之家', kind: 'starlight_center', creditCodeBase: '52340104MJ0021537',
    contactName: '周敏', contactPhone: '0551-65123401', address: '合肥市蜀山区桐城路218号', location: { lng: 117.2580, lat: 31.8440 },
    communityCodes: ['340104001001', '340104001002', '340104001003', '340104001004'], dailyCapacity: 40,
    services: ['meal_delivery', 'day_care', 'companionship', 'cleaning'],
  },
  {
    key: 'starlight-daoxiang', name: '稻香村街道星光老年之家', kind: 'starlight_center', creditCodeBase: '52340104MJ0021618',
    contactName: '吴芳', contactPhone: '0551-65234502', address: '合肥市蜀山区稻香路66号', location: { lng: 117.2420, lat: 31.8600 },
    communityCodes: ['340104002001', '340104002002', '340104002003', '340104002004'], dailyCapacity: 40,
    services: ['meal_delivery', 'day_care', 'companionship', 'cleaning'],
  },
  {
    key: 'starlight-hupo', name: '琥珀街道星光老年之家', kind: 'starlight_center', creditCodeBase: '52340104MJ0021706',
    contactName: '孙丽', contactPhone: '0551-65345603', address: '合肥市蜀山区琥珀山庄南区8栋', location: { lng: 117.2650, lat: 31.8690 },
    communityCodes: ['340104003001', '340104003002', '340104003003', '340104003004'], dailyCapacity: 40,
    services: ['meal_delivery', 'day_care', 'companionship', 'cleaning'],
  },
  {
    key: 'anxin', name: '合肥安心居家养老服务有限公司', kind: 'company', creditCodeBase: '91340104MA2N4K7L3',
    contactName: '陈刚', contactPhone: '13956012345', address: '合肥市蜀山区长江西路500号', location: { lng: 117.2500, lat: 31.8550 },
    communityCodes: demoCommunitiesCodes(), dailyCapacity: 80,
    services: ['cleaning', 'bathing', 'medical_escort', 'rehab_nursing', 'companionship', 'emergency_help'],
  },
  {
    key: 'kangning', name: '安徽康宁护理服务有限公司', kind: 'company', creditCodeBase: '91340100MA2T8QX0B',
    contactName: '刘洋', contactPhone: '13805512233', address: '合肥市蜀山区黄山路310号', location: { lng: 117.2450, lat: 31.8480 },
    communityCodes: demoCommunitiesCodes(), dailyCapacity: 60,
    services: ['rehab_nursing', 'bathing', 'medical_escort', 'emergency_help'],
  },
  {
    key: 'yangguang', name: '蜀山区阳光助老服务中心', kind: 'ngo', creditCodeBase: '52340104MJ0019877',
    contactName: '王静', contactPhone: '0551-62887766', address: '合肥市蜀山区望江西路90号', location: { lng: 117.2380, lat: 31.8570 },
    communityCodes: ['340104002001', '340104002002', '340104002003', '340104002004', '340104001003'], dailyCapacity: 30,
    services: ['companionship', 'cleaning', 'meal_delivery'],
  },
  {
    key: 'lehuo', name: '合肥乐活家政服务有限公司', kind: 'company', creditCodeBase: '91340104MA2MX1P9R',
    contactName: '赵磊', contactPhone: '13655107788', address: '合肥市蜀山区金寨路162号', location: { lng: 117.2700, lat: 31.8420 },
    communityCodes: demoCommunitiesCodes(), dailyCapacity: 50,
    services: ['cleaning', 'appliance_repair'],
  },
  {
    key: 'xiehe', name: '蜀山区协和社工服务社', kind: 'ngo', creditCodeBase: '52340104MJ0023444',
    contactName: '黄蕾', contactPhone: '0551-65009988', address: '合肥市蜀山区亳州路120号', location: { lng: 117.2710, lat: 31.8700 },
    communityCodes: ['340104003001', '340104003002', '340104003003', '340104003004'], dailyCapacity: 20,
    services: ['companionship', 'medical_escort'],
  },
] as const;

function demoCommunitiesCodes(): string[] {
  return demoCommunities.map((community) => community.code);
}

export const demoCaregivers = [
  { providerKey: 'anxin', name: '李桂英', phone: '13912340001', skills: ['cleaning', 'bathing', 'companionship'], certificateNo: 'YLHL-2024-0101' },
  { providerKey: 'anxin', name: '张春梅', phone: '13912340002', skills: ['rehab_nursing', 'medical_escort', 'emergency_help'], certificateNo: 'YLHL-2023-0417' },
  { providerKey: 'kangning', name: '王海燕', phone: '13912340003', skills: ['rehab_nursing', 'bathing'], certificateNo: 'YLHL-2022-0933' },
  { providerKey: 'kangning', name: '马建国', phone: '13912340004', skills: ['medical_escort', 'emergency_help'] },
  { providerKey: 'starlight-sanlian', name: '杨秀兰', phone: '13912340005', skills: ['meal_delivery', 'day_care', 'companionship', 'cleaning'] },
  { providerKey: 'starlight-daoxiang', name: '何丽娟', phone: '13912340006', skills: ['meal_delivery', 'day_care', 'cleaning'] },
  { providerKey: 'starlight-hupo', name: '徐玉珍', phone: '13912340007', skills: ['meal_delivery', 'day_care', 'companionship'] },
  { providerKey: 'yangguang', name: '郭晓红', phone: '13912340008', skills: ['companionship', 'cleaning', 'meal_delivery'] },
  { providerKey: 'lehuo', name: '罗志强', phone: '13912340009', skills: ['appliance_repair', 'cleaning'] },
  { providerKey: 'xiehe', name: '梁淑芬', phone: '13912340010', skills: ['companionship', 'medical_escort'] },
] as const;

/** One login per role; the start prints these and the README lists them. */
export const demoUsers = [
  { username: 'admin', displayName: '区民政局管理员', role: 'admin' },
  { username: 'street.sanlian', displayName: '三里庵街道审核员', role: 'street_officer', streetCode: '340104001' },
  { username: 'community.anju', displayName: '安居苑社区工作者', role: 'community_staff', communityCodes: ['340104001001', '340104001002'] },
  { username: 'provider.anxin', displayName: '安心养老派单员', role: 'provider_admin', providerKey: 'anxin' },
  { username: 'caregiver.li', displayName: '护理员李桂英', role: 'caregiver', providerKey: 'anxin', caregiverName: '李桂英' },
  { username: 'finance', displayName: '区财政结算员', role: 'finance_officer' },
  { username: 'auditor', displayName: '区纪检审计员', role: 'auditor' },
] as const;

/**
 * The demo voucher policy, shaped on real programmes: the national scheme's ¥800 a month for the
 * neediest (三无, 特困) paid in full, lower amounts and subsidy rates for the other categories,
 * a care-level supplement, city and district paying 1:1 as in Hefei, and vouchers lapsing at
 * month end.
 */
export const demoVoucherPolicy = {
  name: '蜀山区2026年居家养老服务券',
  effectiveFrom: '2026-01',
  combine: 'max',
  categories: [
    { category: 'three_nos', monthlyAmountFen: 80_000, subsidyRatePct: 100 },
    { category: 'extreme_hardship', monthlyAmountFen: 80_000, subsidyRatePct: 100 },
    { category: 'low_income', monthlyAmountFen: 60_000, subsidyRatePct: 80 },
    { category: 'disabled', monthlyAmountFen: 60_000, subsidyRatePct: 70 },
    { category: 'advanced_age', monthlyAmountFen: 40_000, subsidyRatePct: 60 },
    { category: 'living_alone', monthlyAmountFen: 40_000, subsidyRatePct: 50 },
    { category: 'empty_nest', monthlyAmountFen: 30_000, subsidyRatePct: 50 },
  ],
  careLevelSupplementFen: [0, 2_000, 4_000, 6_000, 8_000, 10_000],
  defaultSubsidyRatePct: 50,
  fundingSplit: { cityPct: 50, districtPct: 50 },
  expiry: { mode: 'end_of_month' },
} as const;
