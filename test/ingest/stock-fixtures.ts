/**
 * Stock series for the provider tests, built from the in-repo real sessions (SSE Composite 2016, SPY 2020–21):
 * the real series is taken as the total-return path, and the unadjusted prices are that path divided by the
 * cumulative factor of real corporate actions, so every ex-date shows the drop a real stock shows.
 * - 000001.SZ (Ping An Bank), 2016: 10转2派1.53 on 2016-06-16 (ex-date of its 2015 dividend); the index level is
 *   scaled to the bank's price range; 2016-03-15 is removed as a suspended day (停牌).
 * - AAPL, 2020-01 to 2021-03: its real dividends (0.77, 0.82, 0.82 before the split; 0.205 after) and the 4:1 split
 *   of 2020-08-31, on SPY's sessions and price path.
 */
import { fileURLToPath } from 'node:url';
import { loadCsvBars, type CorporateAction, type SourceBar } from '../support/fake-provider.js';

const path = (name: string) =>
  fileURLToPath(new URL(`../../shared/chan-analysis/test/fixtures/${name}`, import.meta.url));
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const cents = (x: number) => Math.round(x * 100) / 100;

function unadjust(path: SourceBar[], actions: CorporateAction[], scale: number, lot: number): SourceBar[] {
  const byDate = new Map(actions.map((a) => [a.date, a]));
  const out: SourceBar[] = [];
  let f = 1;
  for (const b of path) {
    const a = byDate.get(iso(b.time));
    const prev = out.at(-1)?.close;
    if (a && prev !== undefined) {
      if (a.dividend) f *= prev / (prev - a.dividend);
      if (a.split) f *= a.split;
    }
    const k = scale / f;
    out.push({
      time: b.time,
      open: cents(b.open * k),
      high: cents(b.high * k),
      low: cents(b.low * k),
      close: cents(b.close * k),
      volume: Math.round(b.volume / lot) * lot,
    });
  }
  return out;
}

export const CN_ACTIONS: CorporateAction[] = [{ date: '2016-06-16', dividend: 0.153, split: 1.2 }];
export const SUSPENDED_DAY = '2016-03-15';

export function pingAn2016(): SourceBar[] {
  const sse = loadCsvBars(path('cn_sse000001_1d.csv')).filter((b) => iso(b.time).startsWith('2016'));
  return unadjust(sse, CN_ACTIONS, 0.003, 100).filter((b) => iso(b.time) !== SUSPENDED_DAY);
}

export const US_ACTIONS: CorporateAction[] = [
  { date: '2020-02-07', dividend: 0.77 },
  { date: '2020-05-08', dividend: 0.82 },
  { date: '2020-08-07', dividend: 0.82 },
  { date: '2020-08-31', split: 4 },
  { date: '2020-11-06', dividend: 0.205 },
  { date: '2021-02-05', dividend: 0.205 },
];

export function aapl2020(): SourceBar[] {
  const spy = loadCsvBars(path('us_spy_1d.csv')).filter((b) => iso(b.time) >= '2020-01-01');
  return unadjust(spy, US_ACTIONS, 1, 1);
}
