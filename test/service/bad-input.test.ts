/**
 * Malformed requests through the local API Gateway adapter against dynalite and a real Redis cluster: every one
 * answered 4xx with `{error, message, details}` whose message names the problem, none 5xx, and the table
 * byte-for-byte unchanged afterwards.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../support/redis.js';
import { startService, type TestService } from '../support/service.js';

const fixture = readFileSync(
  new URL('../../shared/chan-analysis/test/fixtures/us_spy_1d.csv', import.meta.url),
  'utf8',
);
const first300 = fixture.split('\n').slice(0, 301).join('\n');

interface Case {
  name: string;
  method?: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  key?: boolean | string;
  status: number;
  message: RegExp;
}

const K = '/api/v1/klines';
const A = '/api/v1/analysis';
const S = '/api/v1/symbols';
const good = { time: '2024-01-02', open: 10, high: 11, low: 9, close: 10.5, volume: 100 };
const json = (v: unknown) => JSON.stringify(v);
const bars = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ ...good, time: Date.UTC(2000, 0, 1) + i * 86_400_000 }));

const CASES: Case[] = [
  // --- GET klines: query validation
  { name: 'klines without interval', path: `${K}/SPY`, status: 400, message: /query\.interval.*interval is required/ },
  { name: 'unknown interval', path: `${K}/SPY?interval=2h`, status: 400, message: /unknown interval "2h"/ },
  { name: 'interval in wrong case', path: `${K}/SPY?interval=1D`, status: 400, message: /unknown interval "1D"/ },
  {
    name: 'from not a time',
    path: `${K}/SPY?interval=1d&from=yesterday`,
    status: 400,
    message: /query\.from.*"yesterday" is not a time/,
  },
  {
    name: 'impossible date',
    path: `${K}/SPY?interval=1d&to=2024-02-30`,
    status: 400,
    message: /query\.to.*not a time/,
  },
  {
    name: 'reversed range',
    path: `${K}/SPY?interval=1d&from=2020-01-02&to=2020-01-01`,
    status: 400,
    message: /query\.from.*reversed range/,
  },
  { name: 'limit zero', path: `${K}/SPY?interval=1d&limit=0`, status: 400, message: /query\.limit.*at least 1/ },
  {
    name: 'limit negative',
    path: `${K}/SPY?interval=1d&limit=-5`,
    status: 400,
    message: /query\.limit.*positive integer/,
  },
  {
    name: 'limit not a number',
    path: `${K}/SPY?interval=1d&limit=abc`,
    status: 400,
    message: /query\.limit.*positive integer/,
  },
  {
    name: 'limit fractional',
    path: `${K}/SPY?interval=1d&limit=1.5`,
    status: 400,
    message: /query\.limit.*positive integer/,
  },
  { name: 'limit huge', path: `${K}/SPY?interval=1d&limit=99999999`, status: 400, message: /query\.limit.*at most/ },
  { name: 'unknown query parameter', path: `${K}/SPY?interval=1d&intervall=1h`, status: 400, message: /intervall/ },
  {
    name: 'repeated parameter',
    path: `${K}/SPY?interval=1d&interval=1h`,
    status: 400,
    message: /query\.interval.*given 2 times/,
  },
  {
    name: 'huge range of minute bars',
    path: `${K}/SPY?interval=1m&from=1990-01-01&to=2024-01-01`,
    status: 400,
    message: /spans more than \d+ storage partitions/,
  },
  {
    name: 'from before 1900',
    path: `${K}/SPY?interval=1d&from=1800-01-01`,
    status: 400,
    message: /query\.from.*out of range/,
  },
  {
    name: 'unknown symbol',
    path: `${K}/NOPE?interval=1d`,
    status: 404,
    message: /no bars stored for NOPE at interval 1d/,
  },
  {
    name: 'known symbol, unknown series',
    path: `${K}/SPY?interval=1h`,
    status: 404,
    message: /no bars stored for SPY at interval 1h/,
  },
  {
    name: 'symbol with braces',
    path: `${K}/${encodeURIComponent('SP{Y}')}?interval=1d`,
    status: 400,
    message: /path\.symbol.*may contain only/,
  },
  {
    name: 'symbol too long',
    path: `${K}/${'X'.repeat(40)}?interval=1d`,
    status: 400,
    message: /path\.symbol.*at most 32/,
  },
  // --- GET analysis
  {
    name: 'analysis unknown preset',
    path: `${A}/SPY?interval=1d&preset=nope`,
    status: 400,
    message: /unknown preset "nope"/,
  },
  {
    name: 'analysis unknown preset under a config',
    path: `${A}/SPY?interval=1d&preset=nope&config=${encodeURIComponent('{"bi_strict":false}')}`,
    status: 400,
    message: /unknown preset "nope"/,
  },
  {
    name: 'analysis config not JSON',
    path: `${A}/SPY?interval=1d&config=%7Bnot`,
    status: 400,
    message: /query\.config.*not valid JSON/,
  },
  {
    name: 'analysis config an array',
    path: `${A}/SPY?interval=1d&config=${encodeURIComponent('[1]')}`,
    status: 400,
    message: /config must be a JSON object/,
  },
  {
    name: 'analysis unknown config option',
    path: `${A}/SPY?interval=1d&config=${encodeURIComponent('{"bogus_option":1}')}`,
    status: 400,
    message: /bogus_option/,
  },
  {
    name: 'analysis bad option value',
    path: `${A}/SPY?interval=1d&config=${encodeURIComponent('{"bi_strict":"maybe"}')}`,
    status: 400,
    message: /bi_strict/,
  },
  {
    // chan.py has only slope and amp for segments; the engine refuses others before analysing (no 500).
    name: 'analysis segment-level macd_algo',
    path: `${A}/SPY?interval=1d&config=${encodeURIComponent('{"macd_algo-seg":"peak"}')}`,
    status: 400,
    message: /macd_algo-seg/,
  },
  { name: 'analysis unknown symbol', path: `${A}/NOPE?interval=1d`, status: 404, message: /no bars stored for NOPE/ },
  {
    name: 'analysis reversed range',
    path: `${A}/SPY?interval=1d&from=2021-01-01&to=2020-01-01`,
    status: 400,
    message: /reversed range/,
  },
  { name: 'analysis without interval', path: `${A}/SPY`, status: 400, message: /interval is required/ },
  {
    name: 'analysis unknown include part',
    path: `${A}/SPY?interval=1d&include=bars,candles`,
    status: 400,
    message: /include.*unknown part "candles"/,
  },
  {
    name: 'analysis include in body not a list',
    method: 'POST',
    path: A,
    body: json({ bars: [good], include: 'bars' }),
    status: 400,
    message: /body\.include.*must be a list/,
  },
  {
    name: 'analysis empty range',
    path: `${A}/SPY?interval=1d&from=1950-01-01&to=1950-12-31`,
    status: 404,
    message: /No bars for SPY 1d between/,
  },
  // --- POST analysis
  {
    name: 'analysis body broken JSON',
    method: 'POST',
    path: A,
    body: '{"bars": [',
    status: 400,
    message: /body is not valid JSON/,
  },
  {
    name: 'analysis body is an array',
    method: 'POST',
    path: A,
    body: json([good]),
    status: 400,
    message: /Invalid body/,
  },
  {
    name: 'analysis body without bars',
    method: 'POST',
    path: A,
    body: json({ preset: 'chanpy' }),
    status: 400,
    message: /body\.bars.*bars must be a list/,
  },
  {
    name: 'analysis with zero bars',
    method: 'POST',
    path: A,
    body: json({ bars: [] }),
    status: 400,
    message: /body\.bars.*at least one bar/,
  },
  {
    name: 'analysis with too many bars',
    method: 'POST',
    path: A,
    body: json({ bars: bars(2001) }),
    status: 400,
    message: /body\.bars.*at most 2000 bars/,
  },
  {
    name: 'analysis NaN price',
    method: 'POST',
    path: A,
    body: json({ bars: [{ ...good, open: 'NaN' }] }),
    status: 400,
    message: /body\.bars\[0\]\.open.*must be a number/,
  },
  {
    name: 'analysis negative price',
    method: 'POST',
    path: A,
    body: json({ bars: [{ ...good, low: -1 }] }),
    status: 400,
    message: /body\.bars\[0\]\.low.*must be positive/,
  },
  {
    name: 'analysis high below low',
    method: 'POST',
    path: A,
    body: json({ bars: [good, { ...good, time: '2024-01-03', high: 8, low: 9 }] }),
    status: 400,
    message: /body\.bars\[1\]\.high.*below low/,
  },
  {
    name: 'analysis non-monotonic bars',
    method: 'POST',
    path: A,
    body: json({ bars: [{ ...good, time: '2024-01-05' }, good] }),
    status: 400,
    message: /body\.bars\[1\]\.time.*out-of-order/,
  },
  {
    name: 'analysis duplicate bar time',
    method: 'POST',
    path: A,
    body: json({ bars: [good, good] }),
    status: 400,
    message: /body\.bars\[1\]\.time.*duplicate/,
  },
  {
    name: 'analysis unknown body field',
    method: 'POST',
    path: A,
    body: json({ bars: [good], symbol: 'SPY' }),
    status: 400,
    message: /symbol/,
  },
  {
    name: 'analysis config not an object',
    method: 'POST',
    path: A,
    body: json({ bars: [good], config: 5 }),
    status: 400,
    message: /body\.config.*config must be an object/,
  },
  {
    name: 'analysis CSV body',
    method: 'POST',
    path: A,
    body: first300,
    headers: { 'content-type': 'text/csv' },
    status: 415,
    message: /application\/json only/,
  },
  {
    name: 'analysis body over MAX_BODY_BYTES',
    method: 'POST',
    path: A,
    body: json({ bars: [good], pad: 'x'.repeat(1_100_000) }),
    status: 413,
    message: /body is \d+ bytes; the limit is 1000000/,
  },
  // --- POST klines
  {
    name: 'upload without API key',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([good]),
    key: false,
    status: 403,
    message: /Missing API key.*x-api-key/,
  },
  {
    name: 'upload with wrong API key',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([good]),
    key: 'wrong',
    status: 403,
    message: /Invalid API key/,
  },
  {
    name: 'upload without interval',
    method: 'POST',
    path: `${K}/SPY`,
    body: json([good]),
    status: 400,
    message: /interval is required/,
  },
  {
    name: 'upload unknown interval',
    method: 'POST',
    path: `${K}/SPY?interval=3m`,
    body: json([good]),
    status: 400,
    message: /unknown interval "3m"/,
  },
  {
    name: 'upload broken JSON',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: '[{"time":',
    headers: { 'content-type': 'application/json' },
    status: 400,
    message: /not valid JSON/,
  },
  {
    name: 'upload JSON object not array',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json({ bars: [good] }),
    status: 400,
    message: /expected a JSON array of bars/,
  },
  {
    name: 'upload empty body',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: '',
    status: 400,
    message: /body is required/,
  },
  {
    name: 'upload empty array',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: '[]',
    status: 400,
    message: /at least one bar/,
  },
  {
    name: 'CSV without close column',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: 'time,open,high,low\n2024-01-02,1,2,0.5',
    headers: { 'content-type': 'text/csv' },
    status: 400,
    message: /missing close/,
  },
  {
    name: 'CSV without time column',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: 'when,open,high,low,close\n2024-01-02,1,2,0.5,1',
    headers: { 'content-type': 'text/csv' },
    status: 400,
    message: /missing time/,
  },
  {
    name: 'CSV row with missing cells',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: 'time,open,high,low,close,volume\n2024-01-02,1,2,0.5,1,5\n2024-01-03,1,2',
    headers: { 'content-type': 'text/csv' },
    status: 400,
    message: /body\[1\].*expected 6 cells, got 3/,
  },
  {
    name: 'CSV text price',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: 'time,open,high,low,close\n2024-01-02,abc,2,0.5,1',
    headers: { 'content-type': 'text/csv' },
    status: 400,
    message: /body\[0\]\.open.*must be a number, got string "abc"/,
  },
  {
    name: 'CSV NaN price',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: 'time,open,high,low,close\n2024-01-02,1,NaN,0.5,1',
    headers: { 'content-type': 'text/csv' },
    status: 400,
    message: /body\[0\]\.high.*must be a number/,
  },
  {
    name: 'CSV non-monotonic',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: 'time,open,high,low,close\n2024-01-03,1,2,0.5,1\n2024-01-02,1,2,0.5,1',
    headers: { 'content-type': 'text/csv' },
    status: 400,
    message: /body\[1\]\.time.*out-of-order/,
  },
  {
    name: 'CSV only a header',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: 'time,open,high,low,close\n',
    headers: { 'content-type': 'text/csv' },
    status: 400,
    message: /at least one bar/,
  },
  {
    name: 'JSON row missing close',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([{ time: '2024-01-02', open: 1, high: 2, low: 0.5 }]),
    status: 400,
    message: /body\[0\]\.close.*close is required/,
  },
  {
    name: 'negative volume',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([{ ...good, volume: -3 }]),
    status: 400,
    message: /body\[0\]\.volume.*must not be negative/,
  },
  {
    name: 'garbage time',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([{ ...good, time: 'soon' }]),
    status: 400,
    message: /body\[0\]\.time.*"soon" is not a time/,
  },
  {
    name: 'time in 2100',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([{ ...good, time: '2100-01-01' }]),
    status: 400,
    message: /body\[0\]\.time.*out of range/,
  },
  {
    name: 'price as string',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([{ ...good, close: '10.5' }]),
    status: 400,
    message: /body\[0\]\.close.*must be a number, got string/,
  },
  {
    name: 'low above open',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([{ ...good, low: 10.2 }]),
    status: 400,
    message: /body\[0\]\.low.*above open\/close/,
  },
  {
    name: 'row is an array',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([[1, 2, 3, 4, 5]]),
    status: 400,
    message: /body\[0\].*row must be an object/,
  },
  {
    name: 'one bad row among good ones',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([...bars(5), { ...good, time: '2010-01-01', high: 1, low: 2 }]),
    status: 400,
    message: /body\[5\]\.high.*below low.*nothing was written/,
  },
  {
    name: 'upload hourly bars as 1d',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: json([0, 1, 2].map((i) => ({ ...good, time: Date.UTC(2024, 0, 2, 14 + i) }))),
    status: 400,
    message:
      /body\[1\]\.time: 2024-01-02T15:00:00Z is 1h after row 0 .*1d bars must be at least 23 h apart \(and 1 more problem\).*look like 1h bars/,
  },
  {
    name: 'upload daily CSV as 1w',
    method: 'POST',
    path: `${K}/SPY?interval=1w`,
    headers: { 'content-type': 'text/csv' },
    body: first300,
    status: 400,
    message: /body\[2\]\.time: 1998-01-06 is 1d after row 1 \(1998-01-05\): 1w bars must be at least 3 days apart/,
  },
  {
    name: 'upload to an interval the symbol does not track',
    method: 'POST',
    path: `${K}/SPY?interval=1h`,
    body: json([0, 1].map((i) => ({ ...good, time: Date.UTC(2024, 0, 2, 14 + i) }))),
    status: 400,
    message: /query\.interval: SPY does not track 1h \(it tracks 1d\)/,
  },
  {
    name: 'upload to untracked symbol',
    method: 'POST',
    path: `${K}/NOPE?interval=1d`,
    body: json([good]),
    status: 404,
    message: /Unknown symbol NOPE: track it first/,
  },
  {
    name: 'upload as XML',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: '<bars/>',
    headers: { 'content-type': 'application/xml' },
    status: 415,
    message: /unsupported content-type "application\/xml"/,
  },
  {
    name: 'upload over the gateway limit',
    method: 'POST',
    path: `${K}/SPY?interval=1d`,
    body: 'x'.repeat(10 * 1024 * 1024 + 10),
    headers: { 'content-type': 'text/csv' },
    status: 413,
    message: /10485760 byte limit/,
  },
  // --- PUT symbols
  {
    name: 'track without provider',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ intervals: ['1d'] }),
    status: 400,
    message: /body\.provider.*provider is required/,
  },
  {
    name: 'track unknown provider',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'nasdaq', intervals: ['1d'] }),
    status: 400,
    message: /unknown provider "nasdaq"/,
  },
  {
    name: 'track with no intervals',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: [] }),
    status: 400,
    message: /body\.intervals.*at least one interval/,
  },
  {
    name: 'track with unknown interval',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['2h'] }),
    status: 400,
    message: /body\.intervals\[0\].*unknown interval "2h"/,
  },
  {
    name: 'track with repeated intervals',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d', '1d'] }),
    status: 400,
    message: /must not repeat/,
  },
  {
    name: 'track with wrong type',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], active: 'yes' }),
    status: 400,
    message: /body\.active/,
  },
  {
    name: 'track without API key',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'] }),
    key: false,
    status: 403,
    message: /API key/,
  },
  { name: 'track without body', method: 'PUT', path: `${S}/ETH`, body: '', status: 400, message: /body is required/ },
  {
    name: 'track with bad providerSymbol',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], providerSymbol: 'ETH USDT' }),
    status: 400,
    message: /body\.providerSymbol.*invalid characters/,
  },
  {
    name: 'track url source without sourceUrl',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'url', intervals: ['1d'] }),
    status: 400,
    message: /body\.sourceUrl.*required with provider "url"/,
  },
  {
    name: 'track with sourceUrl not a URL',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'url', intervals: ['1d'], sourceUrl: 'bars.csv' }),
    status: 400,
    message: /body\.sourceUrl.*http\(s\) URL/,
  },
  {
    name: 'track with an ftp sourceUrl',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'url', intervals: ['1d'], sourceUrl: 'ftp://data.example.com/eth.csv' }),
    status: 400,
    message: /body\.sourceUrl.*http\(s\) URL/,
  },
  {
    // The deployed setting (the service below runs with ALLOW_HTTP_SOURCES=false): egress on 443 only.
    name: 'track with an http sourceUrl',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'url', intervals: ['1d'], sourceUrl: 'http://data.example.com/eth.csv' }),
    status: 400,
    message: /^Invalid body\.sourceUrl: sourceUrl must be https:\/\//,
  },
  {
    name: 'track with sourceUrl for an exchange',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], sourceUrl: 'https://data.example.com/eth.csv' }),
    status: 400,
    message: /body\.sourceUrl.*only used with provider "url"/,
  },
  {
    name: 'track with unknown sourceLabel',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({
      provider: 'url',
      intervals: ['1d'],
      sourceUrl: 'https://data.example.com/eth.csv',
      sourceLabel: 'middle',
    }),
    status: 400,
    message: /body\.sourceLabel.*"start".*"end"/,
  },
  {
    name: 'track with historyFrom not a time',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], historyFrom: 'last year' }),
    status: 400,
    message: /body\.historyFrom.*"last year" is not a time/,
  },
  {
    name: 'track with historyFrom a boolean',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], historyFrom: true }),
    status: 400,
    message: /body\.historyFrom.*epoch milliseconds/,
  },
  {
    name: 'track with historyFrom in the future',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], historyFrom: '2999-01-01' }),
    status: 400,
    message: /body\.historyFrom.*out of range/,
  },
  {
    name: 'track with historyFrom fractional ms',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], historyFrom: 1.5 }),
    status: 400,
    message: /body\.historyFrom.*not a time/,
  },
  {
    name: 'track with alerts not an object',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], alerts: true }),
    status: 400,
    message: /body\.alerts/,
  },
  {
    name: 'track with alerts.enabled a string',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], alerts: { enabled: 'yes' } }),
    status: 400,
    message: /body\.alerts\.enabled/,
  },
  {
    name: 'track with unknown alert type',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], alerts: { enabled: true, types: ['4'] } }),
    status: 400,
    message: /body\.alerts\.types\[0\]/,
  },
  {
    name: 'track with no alert levels',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], alerts: { enabled: true, levels: [] } }),
    status: 400,
    message: /body\.alerts\.levels/,
  },
  {
    name: 'track with unknown alert side',
    method: 'PUT',
    path: `${S}/ETH`,
    body: json({ provider: 'binance', intervals: ['1d'], alerts: { enabled: true, sides: ['long'] } }),
    status: 400,
    message: /body\.alerts\.sides\[0\]/,
  },
  // --- POST backfill
  {
    name: 'backfill without API key',
    method: 'POST',
    path: `${S}/SPY/backfill`,
    body: json({ interval: '1d', from: '2020-01-01' }),
    key: false,
    status: 403,
    message: /API key/,
  },
  {
    name: 'backfill with unknown interval',
    method: 'POST',
    path: `${S}/SPY/backfill`,
    body: json({ interval: '2d', from: '2020-01-01' }),
    status: 400,
    message: /body\.interval.*unknown interval "2d"/,
  },
  {
    name: 'backfill without from',
    method: 'POST',
    path: `${S}/SPY/backfill`,
    body: json({ interval: '1d' }),
    status: 400,
    message: /body\.from/,
  },
  {
    name: 'backfill with from not a time',
    method: 'POST',
    path: `${S}/SPY/backfill`,
    body: json({ interval: '1d', from: 'soon' }),
    status: 400,
    message: /body\.from/,
  },
  {
    name: 'backfill with an unknown field',
    method: 'POST',
    path: `${S}/SPY/backfill`,
    body: json({ interval: '1d', from: '2020-01-01', speed: 'max' }),
    status: 400,
    message: /speed/,
  },
  {
    name: 'backfill without body',
    method: 'POST',
    path: `${S}/SPY/backfill`,
    body: '',
    status: 400,
    message: /body is required/,
  },
  {
    name: 'backfill of an untracked symbol',
    method: 'POST',
    path: `${S}/NOPE/backfill`,
    body: json({ interval: '1d', from: '2020-01-01' }),
    status: 404,
    message: /NOPE is not tracked/,
  },
  {
    name: 'backfill of an upload-only symbol',
    method: 'POST',
    path: `${S}/SPY/backfill`,
    body: json({ interval: '1d', from: '2020-01-01' }),
    status: 400,
    message: /provider "upload", which cannot be fetched from/,
  },
  {
    name: 'delete a symbol without API key',
    method: 'DELETE',
    path: `${S}/SPY?purge=true`,
    key: false,
    status: 403,
    message: /Missing API key.*DELETE/,
  },
  {
    name: 'delete an unknown symbol',
    method: 'DELETE',
    path: `${S}/NOPE`,
    status: 404,
    message: /Unknown symbol NOPE/,
  },
  {
    name: 'delete with purge not a boolean',
    method: 'DELETE',
    path: `${S}/SPY?purge=yes`,
    status: 400,
    message: /query\.purge.*purge must be true or false/,
  },
  { name: 'symbols with a query parameter', path: `${S}?page=2`, status: 400, message: /page/ },
  // --- routing
  { name: 'unknown route', path: '/api/v1/nope', status: 404, message: /No route GET \/api\/v1\/nope/ },
  { name: 'wrong method', method: 'DELETE', path: S, status: 405, message: /DELETE is not allowed/ },
  { name: 'klines without symbol', path: `${K}?interval=1d`, status: 404, message: /No route/ },
];

describe('bad input', () => {
  let redis: RedisCluster;
  let svc: TestService;
  let before: string;

  beforeAll(async () => {
    redis = await startRedisCluster();
    svc = await startService({
      redisUrl: redis.url,
      env: {
        MAX_ANALYSIS_BARS: '2000',
        MAX_BODY_BYTES: '1000000',
        MAX_RANGE_BUCKETS: '500',
        // As deployed (the stack never sets it; local/env.ts turns it on for the local runtime only).
        ALLOW_HTTP_SOURCES: 'false',
      },
    });
    const h = { 'x-api-key': svc.apiKey };
    expect(
      (
        await svc.fetch(`${S}/SPY`, {
          method: 'PUT',
          headers: h,
          body: json({ provider: 'upload', intervals: ['1d'] }),
        })
      ).status,
    ).toBe(201);
    const up = await svc.fetch(`${K}/SPY?interval=1d`, {
      method: 'POST',
      headers: { ...h, 'content-type': 'text/csv' },
      body: first300,
    });
    expect(up.status).toBe(200);
    before = JSON.stringify((await svc.scanAll()).map((i) => JSON.stringify(i)).sort());
  });

  afterAll(async () => {
    await svc?.stop();
    await redis?.stop();
  });

  it('has at least 50 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(50));

  it.each(CASES)('$name → $status', async (c) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.key !== false) headers['x-api-key'] = typeof c.key === 'string' ? c.key : svc.apiKey;
    if (c.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await svc.fetch(c.path, { method: c.method ?? 'GET', headers, body: c.body });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(c.status);
    const body = JSON.parse(text) as { error: string; message: string; details: unknown };
    expect(Object.keys(body).sort()).toEqual(['details', 'error', 'message']);
    expect(body.message).toMatch(c.message);
  });

  it('wrote nothing: the table is exactly as before', async () => {
    const after = JSON.stringify((await svc.scanAll()).map((i) => JSON.stringify(i)).sort());
    expect(after).toBe(before);
  });
});
