import type { OverviewReport, ProviderPerformance } from '../../api/types.ts';
import { yuan } from '../../format.ts';
import { FUNDING_LABELS } from '../../labels.ts';

// ECharts options of the monthly overview, built from the reports API's figures.

const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

/**
 * Who pays for the month's visits: the city and district budgets (settled payable) and the seniors'
 * self-pay. Only the sources that paid something: a ring of one 0 part is drawn whole and read as
 * "老人自付 0%" filling the chart. Null when nothing was paid at all (the page says so instead).
 */
export function fundingOption(report: OverviewReport) {
  const parts = [
    ...(report.spend.settlement?.fundingSources ?? []).map((source) => ({ name: FUNDING_LABELS[source.source] ?? source.source, value: source.monthFen })),
    { name: FUNDING_LABELS.self_pay ?? '老人自付', value: report.spend.vouchers.selfPayFen },
  ].filter((part) => part.value > 0);
  if (parts.length === 0) return null;
  return {
    tooltip: { trigger: 'item', formatter: (item: { name: string; value: number; percent: number }) => `${item.name}：${yuan(item.value)}（${item.percent}%）` },
    legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['32%', '58%'], label: { formatter: '{b}\n{d}%', overflow: 'none' }, data: parts }],
  };
}

export function serviceTypeOption(report: OverviewReport) {
  const rows = report.orders.byServiceType;
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 50, right: 20, top: 30, bottom: 40 },
    xAxis: { type: 'category', data: rows.map((row) => row.serviceTypeName), axisLabel: { interval: 0 } },
    yAxis: { type: 'value', name: '工单数', minInterval: 1 },
    series: [{ type: 'bar', name: '工单', barMaxWidth: 48, data: rows.map((row) => row.total), itemStyle: { color: '#b8860b' } }],
  };
}

export function providerRatesOption(providers: ProviderPerformance[]) {
  return {
    tooltip: { trigger: 'axis', valueFormatter: (value: number | null) => (value === null ? '—' : `${value}%`) },
    legend: { bottom: 0 },
    grid: { left: 50, right: 20, top: 20, bottom: 70 },
    xAxis: { type: 'category', data: providers.map((row) => row.providerName), axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      { type: 'bar', name: '接单率', barMaxWidth: 32, data: providers.map((row) => percent(row.acceptanceRate)) },
      { type: 'bar', name: '准时率', barMaxWidth: 32, data: providers.map((row) => percent(row.onTimeRate)) },
      { type: 'bar', name: '异常率', barMaxWidth: 32, data: providers.map((row) => percent(row.flagRate)), itemStyle: { color: '#c0392b' } },
    ],
  };
}

export const rateText = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
